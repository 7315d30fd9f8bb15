"""Synthetic 補助金 and 調達 records for the demo's corporations (合成データ), made in the documented
import layouts and loaded through :func:`import_awards`, the way a granting or buying body's file
is — so the open corporate information pages of the demo's companies show what Gビズインフォ shows.

Every record names its 出典 as ``合成データ（デモ用）``: the pages and the bulk files say so. The
programmes and buyers are real kinds (小規模事業者持続化補助金 by 中小企業庁, a municipality's
庁舎清掃業務委託); the awards themselves are invented, deterministic for a seed.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.procedures.corpinfo.models import CorpinfoSubsidy
from tsunagu.procedures.corpinfo.service.awards import (
    PROCUREMENT_HEADER,
    SUBSIDY_HEADER,
    AwardReport,
    import_awards,
)
from tsunagu.registry.corporations import service as corporations

__all__ = ["ALWAYS", "SYNTHETIC_SOURCE", "demo_award_files", "seed_demo_awards"]

SYNTHETIC_SOURCE = "合成データ（デモ用）"
#: the first companies the registry lists are the demo's represented companies: each gets records
ALWAYS = 10
SHARE = 0.35  # of the other companies, about this many have a subsidy; as many a contract
# (補助金等の名称, 補助対象事業, 交付元, 交付決定額の下限・上限（千円）)
SUBSIDIES = (
    ("小規模事業者持続化補助金", "販路開拓のためのウェブサイト改修と展示会出展", "中小企業庁", 300, 2_000),
    (
        "ものづくり・商業・サービス生産性向上促進補助金",
        "新製品の試作に用いる加工設備の導入",
        "中小企業庁",
        3_000,
        12_500,
    ),
    ("IT導入補助金", "会計・受発注ソフトウェアの導入", "中小企業庁", 200, 3_500),
    ("事業再構築補助金", "新分野展開のための店舗改装と設備導入", "中小企業庁", 5_000, 30_000),
    ("省エネルギー投資促進支援事業費補助金", "高効率空調設備への更新", "資源エネルギー庁", 1_000, 15_000),
    ("人材開発支援助成金", "従業員の職業訓練（OFF-JT）", "厚生労働省", 100, 1_500),
    ("キャリアアップ助成金", "有期雇用労働者の正社員化", "厚生労働省", 500, 3_000),
)
# (調達件名, 契約金額の下限・上限（千円）); the buyer is the company's own municipality
PROCUREMENTS = (
    ("庁舎清掃業務委託", 2_000, 12_000),
    ("事務用品の購入（単価契約）", 300, 3_000),
    ("複合機の賃貸借及び保守", 1_000, 8_000),
    ("公式ウェブサイト保守運用業務委託", 1_500, 9_000),
    ("防災備蓄品の購入", 800, 6_000),
    ("道路補修工事（市道第12号線）", 5_000, 40_000),
    ("学校給食配送業務委託", 4_000, 20_000),
)
NATIONAL_BUYERS = ("国土交通省関東地方整備局", "法務省", "デジタル庁")


def _csv(header: Sequence[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _day(rng: random.Random, today: date) -> str:
    return (today - timedelta(days=rng.randint(30, 3 * 365))).isoformat()


def demo_award_files(
    companies: Sequence[corporations.CorporationRecord], seed: int, today: date
) -> tuple[str, str]:
    """The subsidies file and the procurements file (the documented layouts) for ``companies``:
    the first :data:`ALWAYS` get one to three subsidies and one or two contracts, the others
    each by chance."""
    rng = random.Random(f"corpinfo-demo-{seed}")  # noqa: S311 - synthetic demo data, not secrets
    subsidies: list[list[str]] = []
    procurements: list[list[str]] = []
    for index, company in enumerate(companies):
        always = index < ALWAYS
        if always or rng.random() < SHARE:
            for title, target, department, low, high in rng.sample(
                SUBSIDIES, rng.randint(1, 3) if always else 1
            ):
                amount = rng.randint(low, high) * 1000
                number = f"demo-S-{company.number}-{len(subsidies)}"
                subsidies.append(
                    [
                        company.number,
                        _day(rng, today),
                        title,
                        target,
                        str(amount),
                        department,
                        SYNTHETIC_SOURCE,
                        number,
                    ]
                )
        if always or rng.random() < SHARE:
            for title, low, high in rng.sample(PROCUREMENTS, rng.randint(1, 2) if always else 1):
                buyer = (
                    f"{company.prefecture_name}{company.city_name}"
                    if company.city_name and rng.random() < 0.75
                    else rng.choice(NATIONAL_BUYERS)
                )
                amount = rng.randint(low, high) * 1000
                number = f"demo-P-{company.number}-{len(procurements)}"
                procurements.append(
                    [company.number, _day(rng, today), title, str(amount), buyer, SYNTHETIC_SOURCE, number]
                )
    return _csv(SUBSIDY_HEADER, subsidies), _csv(PROCUREMENT_HEADER, procurements)


def seed_demo_awards(
    db: Session, seed: int, *, only_if_empty: bool = False
) -> tuple[AwardReport, AwardReport] | None:
    """(Demo) synthetic subsidies and procurement for the registry's active corporations, imported
    like any body's file (a second run replaces them); None when kept (``only_if_empty``)."""
    synthetic = (
        select(func.count()).select_from(CorpinfoSubsidy).where(CorpinfoSubsidy.source == SYNTHETIC_SOURCE)
    )
    if only_if_empty and db.scalar(synthetic):
        return None
    companies: list[corporations.CorporationRecord] = []
    while True:
        page, total = corporations.search(db, closed=False, limit=500, offset=len(companies))
        companies += page
        if not page or len(companies) >= total:
            break
    subsidies, procurements = demo_award_files(companies, seed, clock.today_jst().date())
    return import_awards(db, "subsidies", subsidies), import_awards(db, "procurements", procurements)
