"""A synthetic procedure inventory in the exact published layout (R6 or R7), for benchmarks and the
demo: deterministic for a seed, about 75,000 rows like the real survey, the same 手続ID across
years, online availability rising year by year, heavy-tailed volumes (a few procedures carry most
of the volume), and the published files' quality defects at their real rates (other separators,
non-canonical ministry names, 〇 for ○). The names are made up from real laws; none is a real row."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Iterator
from pathlib import Path

import xlsxwriter  # type: ignore[import-untyped]

from tsunagu.oversight import layouts
from tsunagu.oversight.layouts import Layout
from tsunagu.oversight.legal_basis import Citation, citations

SURVEY_ROWS = 75_000
#: (ministry, share of procedures, laws it holds) — shares after the real survey's order of size
MINISTRY_MIX: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    (
        "厚生労働省",
        0.19,
        (
            "健康保険法",
            "雇用保険法",
            "労働基準法",
            "食品衛生法",
            "医療法",
            "介護保険法",
            "児童福祉法",
            "国民年金法",
        ),
    ),
    (
        "国土交通省",
        0.17,
        ("道路運送車両法", "建設業法", "建築基準法", "宅地建物取引業法", "道路交通法", "船舶法", "航空法"),
    ),
    ("経済産業省", 0.12, ("電気事業法", "高圧ガス保安法", "特許法", "計量法", "ガス事業法")),
    ("農林水産省", 0.11, ("農地法", "食品表示法", "漁業法", "森林法", "家畜伝染病予防法")),
    ("財務省", 0.07, ("所得税法", "法人税法", "関税法", "消費税法", "酒税法")),
    ("総務省", 0.06, ("住民基本台帳法", "電波法", "地方税法", "消防法", "公職選挙法")),
    ("環境省", 0.05, ("廃棄物の処理及び清掃に関する法律", "大気汚染防止法", "水質汚濁防止法")),
    ("法務省", 0.04, ("戸籍法", "商業登記法", "不動産登記法", "出入国管理及び難民認定法")),
    ("文部科学省", 0.04, ("学校教育法", "私立学校法", "文化財保護法")),
    ("内閣府", 0.03, ("公益社団法人及び公益財団法人の認定等に関する法律", "特定非営利活動促進法")),
    ("金融庁", 0.03, ("金融商品取引法", "銀行法", "保険業法")),
    ("警察庁", 0.02, ("道路交通法", "古物営業法", "風俗営業等の規制及び業務の適正化等に関する法律")),
    ("こども家庭庁", 0.015, ("児童手当法", "子ども・子育て支援法")),
    ("防衛省", 0.01, ("自衛隊法",)),
    ("外務省", 0.01, ("旅券法",)),
    ("消費者庁", 0.01, ("特定商取引に関する法律", "景品表示法")),
    ("デジタル庁", 0.005, ("行政手続における特定の個人を識別するための番号の利用等に関する法律",)),
    ("原子力規制委員会", 0.005, ("核原料物質、核燃料物質及び原子炉の規制に関する法律",)),
    ("内閣官房", 0.005, ("国家公務員法",)),
    ("公正取引委員会", 0.005, ("私的独占の禁止及び公正取引の確保に関する法律",)),
    ("個人情報保護委員会", 0.003, ("個人情報の保護に関する法律",)),
    ("人事院", 0.003, ("国家公務員法",)),
    ("宮内庁", 0.001, ("皇室経済法",)),
    ("復興庁", 0.002, ("福島復興再生特別措置法",)),
    ("カジノ管理委員会", 0.001, ("特定複合観光施設区域整備法",)),
    ("内閣法制局", 0.001, ("内閣法制局設置法",)),
)
ACTS = (
    ("1", "許可申請"),
    ("1", "届出"),
    ("1", "変更届出"),
    ("1", "登録申請"),
    ("1", "認定申請"),
    ("1", "廃止届出"),
    ("1", "報告"),
    ("2-1", "許可証の交付"),
    ("2-1", "認定の通知"),
    ("2-2", "措置命令"),
    ("2-3", "証明書の交付"),
    ("3", "名簿の縦覧"),
    ("4", "帳簿の保存"),
)
PERSON_EVENTS = layouts.LIFE_EVENTS_PERSON[:12]
CORPORATE_EVENTS = layouts.LIFE_EVENTS_CORPORATE[:10]
ALIASES = ("閣府", "原子力規制庁", "海上保安庁", "公害等調整委員会")


#: procedures this platform serves, as the survey writes a row (所管府省庁, 法令名, 根拠条項号 in
#: kanji numerals, 手続名, 手続類型, 手続主体, 手続の受け手, オンライン化の実施状況, 総手続件数, life
#: event): the first rows of every generated file, so that the demo links its procedures by their
#: legal basis. Near misses are among them (another article of the same law, another law's article)
#: and must stay unlinked. Volumes are made up like the rest of the file.
SERVED_ROWS: tuple[tuple[str, str, str, str, str, str, str, str, int, str], ...] = (
    (
        "総務省",
        "住民基本台帳法",
        "第二十四条",
        "転出届",
        "1",
        "5 国民等",
        "3 地方等",
        "1",
        2_600_000,
        "引越し",
    ),
    (
        "総務省",
        "住民基本台帳法",
        "第二十二条第一項",
        "転入届",
        "1",
        "5 国民等",
        "3 地方等",
        "2",
        2_700_000,
        "引越し",
    ),
    (
        "総務省",
        "住民基本台帳法",
        "第二十三条",
        "転居届",
        "1",
        "5 国民等",
        "3 地方等",
        "2",
        1_900_000,
        "引越し",
    ),
    (
        "総務省",
        "住民基本台帳法",
        "第十二条第一項",
        "住民票の写し等の交付の請求",
        "1",
        "5 国民等",
        "3 地方等",
        "1",
        31_000_000,
        "",
    ),
    (
        "こども家庭庁",
        "児童手当法",
        "第七条第一項",
        "児童手当の認定の請求",
        "1",
        "5 国民等",
        "3 地方等",
        "1",
        1_100_000,
        "出生・こども",
    ),
    (
        "こども家庭庁",
        "児童手当法",
        "第七条第一項",
        "児童手当の認定の通知",
        "2-1",
        "3 地方等",
        "5 国民等",
        "1",
        1_100_000,
        "",
    ),
    (
        "こども家庭庁",
        "児童手当法施行規則",
        "第十一条",
        "児童手当の受給事由消滅の届出",
        "1",
        "5 国民等",
        "3 地方等",
        "2",
        160_000,
        "死亡・相続",
    ),
    (
        "こども家庭庁",
        "児童扶養手当法",
        "第六条第一項",
        "児童扶養手当の認定の請求",
        "1",
        "5 国民等",
        "3 地方等",
        "1",
        120_000,
        "出生・こども",
    ),
    (
        "厚生労働省",
        "介護保険法",
        "第二十七条第一項",
        "要介護認定の申請",
        "1",
        "5 国民等",
        "3 地方等",
        "1",
        5_400_000,
        "介護",
    ),
    (
        "厚生労働省",
        "介護保険法",
        "第三十二条第一項",
        "要支援認定の申請",
        "1",
        "5 国民等",
        "3 地方等",
        "1",
        1_900_000,
        "介護",
    ),
    (
        "厚生労働省",
        "介護保険法",
        "第十二条第一項",
        "被保険者の資格の取得及び喪失に関する届出",
        "1",
        "5 国民等",
        "3 地方等",
        "2",
        1_500_000,
        "死亡・相続",
    ),
    (
        "厚生労働省",
        "国民健康保険法",
        "第五十八条第一項",
        "葬祭費の支給の申請",
        "1",
        "5 国民等",
        "3 地方等",
        "2",
        430_000,
        "死亡・相続",
    ),
    (
        "厚生労働省",
        "厚生年金保険法施行規則",
        "第十三条第一項",
        "新規適用の届出",
        "1",
        "6 民間事業者等",
        "2 独立行政法人等",
        "1",
        110_000,
        "",
    ),
    (
        "厚生労働省",
        "厚生年金保険法施行規則",
        "第十五条",
        "被保険者の資格取得の届出",
        "1",
        "6 民間事業者等",
        "2 独立行政法人等",
        "1",
        6_800_000,
        "",
    ),
    (
        "厚生労働省",
        "労働保険の保険料の徴収等に関する法律",
        "第四条の二第一項",
        "保険関係成立届",
        "1",
        "6 民間事業者等",
        "1 国",
        "1",
        150_000,
        "",
    ),
    (
        "財務省",
        "法人税法",
        "第百四十八条第一項",
        "内国普通法人等の設立の届出",
        "1",
        "6 民間事業者等",
        "1 国",
        "1",
        140_000,
        "",
    ),
    (
        "財務省",
        "所得税法",
        "第二百二十九条",
        "開業等の届出",
        "1",
        "7 国民等、民間事業者等",
        "1 国",
        "1",
        1_200_000,
        "",
    ),
    (
        "こども家庭庁",
        "子ども・子育て支援法",
        "第二十条第一項",
        "教育・保育給付認定の申請",
        "1",
        "5 国民等",
        "3 地方等",
        "1",
        900_000,
        "出生・こども",
    ),
    (
        "総務省",
        "地方自治法施行令",
        "第百六十七条の五第一項",
        "一般競争入札参加資格審査の申請",
        "1",
        "6 民間事業者等",
        "3 地方等",
        "2",
        600_000,
        "",
    ),
)


def online_share(year: int) -> float:
    """The share of procedure types available online: about 30% in FY2021, about 50% by 2025."""
    return min(0.75, 0.30 + 0.05 * (year - 2021))


def rows(
    layout: Layout,
    survey_year: int,
    count: int = SURVEY_ROWS,
    seed: int = 1,
    reserved: Iterable[Citation] = (),
) -> Iterator[list[object]]:
    """The two header rows, then ``count`` procedures as cells in the layout's column order. No
    made-up row rests on an article of SERVED_ROWS or of ``reserved`` (the articles this platform's
    procedures cite), so that only the rows written for them can be linked to them."""
    yield list(range(1, len(layout.columns) + 1))
    yield list(layout.columns)
    ministries = [m for m, _, _ in MINISTRY_MIX]
    weights = [w for _, w, _ in MINISTRY_MIX]
    laws = {m: ls for m, _, ls in MINISTRY_MIX}
    share = online_share(survey_year)
    for n, row in enumerate(SERVED_ROWS[:count]):
        yield _served_row(layout, n, row)
    taken = {(c.law, c.article) for _, law, article, *_ in SERVED_ROWS for c in citations(article, law)}
    taken |= {(c.law, c.article) for c in reserved}
    for n in range(len(SERVED_ROWS), count):
        rng = random.Random(f"{seed}:{n}")  # noqa: S311 — synthetic data; the same procedure across years
        year_rng = random.Random(f"{seed}:{n}:{survey_year}")  # noqa: S311
        ministry = rng.choices(ministries, weights)[0]
        law = rng.choice(laws[ministry])
        type_code, act = rng.choice(ACTS)
        article = rng.randint(2, 120)
        while (law, str(article)) in taken:
            article += 1  # the articles of the served rows stay theirs
        status = "1" if rng.random() < share else year_rng.choice(("2", "2", "2", "3", "4"))
        if layout.id == "R6" and status == "2" and year_rng.random() < 0.04:
            status = "5"
        # volumes: a Pareto tail; a third unknown (blank), many zero
        total: int | None = None
        if rng.random() > 0.33:
            total = 0 if rng.random() < 0.35 else int(rng.paretovariate(0.55) * 3)
        online = offline = None
        if total is not None:
            use = min(1.0, 0.35 + 0.07 * (survey_year - 2021) + rng.random() * 0.3) if status == "1" else 0.0
            online = int(total * use)
            offline = total - online
        values: dict[str, object] = {
            "手続ID": f"{100000 + n}",
            "所管府省庁": (year_rng.choice(ALIASES) if year_rng.random() < 0.002 else ministry),
            "手続名": f"{law}第{article}条の規定に基づく{act}",
            "法令名": law,
            "法令番号": f"昭和{rng.randint(22, 63)}年法律第{rng.randint(1, 200)}号",
            "根拠条項号": f"第{article}条第{rng.randint(1, 5)}項",
            "手続類型": f"{type_code} {layouts.PROCEDURE_TYPES[type_code]}",
            "手続主体": rng.choice(("5 国民等", "6 民間事業者等", "7 国民等、民間事業者等", "3 地方等")),
            "手続の受け手": rng.choice(("1 国", "3 地方等", "4-3 国又は地方等")),
            "府省共通手続": _common(layout, rng),
            "実施府省庁": ministry,
            "オンライン化の実施状況": f"{status} {layouts.ONLINE_STATUSES[status]}",
            "総手続件数": total,
            "オンライン手続件数": online,
            "非オンライン手続件数": offline,
        }
        if type_code == "1":
            attachments = _attachments(rng)
            separator = "、" if year_rng.random() < 0.006 else ";"
            values["申請時に添付させる書類"] = separator.join(attachments)
            events = rng.sample(PERSON_EVENTS, rng.choice((0, 1, 1, 2)))
            values["手続が行われるイベント(個人)"] = ";".join(events)
            corporate = rng.sample(CORPORATE_EVENTS, rng.choice((0, 1, 2)))
            values["手続が行われるイベント(法人)"] = ";".join(corporate)
        yield [values.get(column) for column in layout.columns]


def _served_row(
    layout: Layout, n: int, row: tuple[str, str, str, str, str, str, str, str, int, str]
) -> list[object]:
    ministry, law, article, name, type_code, subject, recipient, status, total, event = row
    online = total * 3 // 5 if status == "1" else 0
    values: dict[str, object] = {
        "手続ID": f"{100000 + n}",
        "所管府省庁": ministry,
        "手続名": name,
        "法令名": law,
        "根拠条項号": article,
        "手続類型": f"{type_code} {layouts.PROCEDURE_TYPES[type_code]}",
        "手続主体": subject,
        "手続の受け手": recipient,
        "府省共通手続": _common(layout, random.Random(n)),  # noqa: S311 — synthetic data
        "実施府省庁": ministry,
        "オンライン化の実施状況": f"{status} {layouts.ONLINE_STATUSES[status]}",
        "総手続件数": total,
        "オンライン手続件数": online,
        "非オンライン手続件数": total - online,
        "手続が行われるイベント(個人)": event,
    }
    return [values.get(column) for column in layout.columns]


def _common(layout: Layout, rng: random.Random) -> str:
    draw = rng.random()
    all_mark, none_mark = ("〇", "✕") if layout.id == "R7" else ("○", "×")
    suffix = "府省庁" if layout.id == "R7" else "府省"
    if draw < 0.025:
        return f"{all_mark}（全{suffix}）"
    if draw < 0.075:
        return f"●（一部の{suffix}）"
    return f"{none_mark}（{suffix}共通手続でない）"


def _attachments(rng: random.Random) -> list[str]:
    if rng.random() < 0.35:
        return [layouts.NO_ATTACHMENT]
    chosen = rng.sample(layouts.ATTACHMENTS[:13], rng.choice((1, 1, 2, 3)))
    return chosen + (["その他の添付書類"] if rng.random() < 0.5 else [])


def write_csv(
    path: Path,
    layout: Layout,
    survey_year: int,
    count: int = SURVEY_ROWS,
    seed: int = 1,
    *,
    reserved: Iterable[Citation] = (),
) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows(layout, survey_year, count, seed, reserved))


def csv_bytes(
    layout: Layout, survey_year: int, count: int, seed: int = 1, reserved: Iterable[Citation] = ()
) -> bytes:
    handle = io.StringIO(newline="")
    csv.writer(handle).writerows(rows(layout, survey_year, count, seed, reserved))
    return handle.getvalue().encode("utf-8")


def write_xlsx(
    path: Path,
    layout: Layout,
    survey_year: int,
    count: int = SURVEY_ROWS,
    seed: int = 1,
    *,
    reserved: Iterable[Citation] = (),
) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("手続一覧")
    for r, row in enumerate(rows(layout, survey_year, count, seed, reserved)):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    workbook.close()
