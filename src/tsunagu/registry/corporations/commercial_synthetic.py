"""Deterministic synthetic 登記事項 for the synthetic corporations (demo and benchmarks).

Each company of the 法人番号 registry without a 登記記録 gets one: the 法務局 of its head office,
purposes of its trade (as 定款 word them), capital, the date it was established, its officers as
its legal form requires (株式会社: 代表取締役 and 取締役, often a 監査役; 合同会社: 代表社員 and
業務執行社員) and sometimes a branch. ``representatives`` names the 代表者 of chosen corporations
(the demo gives them residents who can hold a card).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core.progress import ProgressReporter, SilentProgress
from tsunagu.registry.corporations import commercial
from tsunagu.registry.corporations.models import Corporation, CorporationRegistration
from tsunagu.registry.residents.synthetic.names import family_names, female_given_names, male_given_names

COMPANY_KINDS = ("301", "302", "303", "304", "305")
OFFICES = {
    "13": "東京法務局",
    "14": "横浜地方法務局",
    "27": "大阪法務局",
    "23": "名古屋法務局",
    "01": "札幌法務局",
    "40": "福岡法務局",
    "26": "京都地方法務局",
    "04": "仙台法務局",
    "34": "広島法務局",
}
PURPOSES = {
    "商事": ("各種商品の輸出入及び販売", "日用品雑貨の卸売"),
    "建設": ("土木工事業", "建築工事業", "内装仕上工事業"),
    "製作所": ("金属製品の製造及び販売", "産業用機械の設計及び製造"),
    "電機": ("電気機械器具の製造及び販売", "電気工事業"),
    "運輸": ("一般貨物自動車運送事業", "倉庫業"),
    "不動産": ("不動産の売買、賃貸、仲介及び管理",),
    "食品": ("食料品の製造、加工及び販売", "飲食店の経営"),
    "システムズ": ("ソフトウェアの開発及び販売", "情報処理サービス業"),
    "工業": ("合成樹脂製品の製造及び販売",),
    "薬品": ("医薬品、医薬部外品及び化粧品の販売",),
    "デザイン": ("商業デザインの企画及び制作", "広告代理業"),
    "農園": ("農産物の生産及び販売", "農業体験施設の運営"),
    "ソリューションズ": ("経営に関するコンサルティング", "情報処理サービス業"),
    "物産": ("地域特産品の販売", "通信販売業"),
    "技研": ("機械器具の研究開発", "技術者派遣事業"),
}
CLOSING = "前各号に附帯関連する一切の事業"
CAPITALS = (1_000_000, 3_000_000, 5_000_000, 10_000_000, 20_000_000, 30_000_000, 50_000_000, 100_000_000)


def _person(rng: random.Random) -> str:
    family = rng.choice(family_names()[:200])[0]
    given = rng.choice(male_given_names() if rng.random() < 0.7 else female_given_names())[0]
    return f"{family}　{given}"


def _purposes(rng: random.Random, name: str) -> list[str]:
    trade = next((t for t in PURPOSES if t in name), "商事")
    chosen = list(PURPOSES[trade])
    if rng.random() < 0.4:
        chosen.append(rng.choice(PURPOSES[rng.choice(tuple(PURPOSES))]))
    return [*dict.fromkeys(chosen), CLOSING]


def seed(
    db: Session,
    seed_value: int,
    *,
    representatives: Mapping[str, tuple[str, str]] | None = None,
    progress: ProgressReporter | None = None,
) -> int:
    """登記記録 for every company without one; returns how many were made."""
    representatives = representatives or {}
    progress = progress or SilentProgress()
    registered = set(db.scalars(select(CorporationRegistration.number)))
    companies = [
        c
        for c in db.scalars(
            select(Corporation).where(Corporation.kind.in_(COMPANY_KINDS)).order_by(Corporation.number)
        )
        if c.number not in registered
    ]
    progress.start("commercial registry: 登記事項 of the synthetic companies", len(companies))
    for company in companies:
        rng = random.Random(f"{seed_value}:{company.number}")  # noqa: S311 - synthetic data
        assigned = company.assignment_date or date(2015, 10, 5)
        # companies with a number from the first day mostly existed long before it
        established = (
            assigned - timedelta(days=rng.randint(200, 12000))
            if assigned <= date(2015, 10, 5)
            else assigned - timedelta(days=rng.randint(0, 20))
        )
        capital = rng.choice(CAPITALS) if company.kind in ("301", "302", "305") else None
        commercial.register(
            db,
            company.number,
            registry_office=OFFICES.get(company.prefecture_code, "東京法務局"),
            purposes=_purposes(rng, company.name),
            capital_yen=capital,
            established_on=established,
        )
        head = f"{company.prefecture_name}{company.city_name}{company.street_number}"
        chosen = representatives.get(company.number)
        name, address = chosen if chosen else (_person(rng), head)
        joint_stock = company.kind in ("301", "302")
        commercial.appoint(
            db,
            company.number,
            title="代表取締役" if joint_stock else "代表社員",
            name=name,
            address=address,
            representative=True,
            appointed_on=established,
        )
        for _ in range(rng.randint(1, 3) if joint_stock else rng.randint(0, 1)):
            commercial.appoint(
                db,
                company.number,
                title="取締役" if joint_stock else "業務執行社員",
                name=_person(rng),
                appointed_on=established,
            )
        if company.kind == "301" and rng.random() < 0.5:
            commercial.appoint(
                db,
                company.number,
                title="監査役",
                name=_person(rng),
                appointed_on=established + timedelta(days=rng.randint(0, 900)),
            )
        if rng.random() < 0.15:
            commercial.open_branch(
                db,
                company.number,
                address=f"大阪府大阪市北区梅田{rng.randint(1, 3)}丁目"
                f"{rng.randint(1, 20)}番{rng.randint(1, 9)}号",
                opened_on=established + timedelta(days=rng.randint(300, 2000)),
            )
        progress.advance()
    return len(companies)
