"""The published layouts of the procedure inventory (行政手続等の棚卸調査結果) and their code lists.

Two schema versions, as the Digital Agency documents them for its published files
(``procedures-survey-results_outline_02``; digital-go-jp/administrative-procedures-mcp,
``datasets/procedures-survey-r6`` and ``-r7``): the 令和6年度 survey with 38 columns and the
令和7年度 survey with 46 columns. Both files carry two header rows: a row of column numbers, then
the column names, which this module lists exactly as published (half-width brackets except in
「情報システム（申請）複数ある場合」, which is published with full-width ones).
"""

from __future__ import annotations

from dataclasses import dataclass

R6_COLUMNS: tuple[str, ...] = (
    "手続ID",
    "所管府省庁",
    "手続名",
    "法令名",
    "法令番号",
    "根拠条項号",
    "手続類型",
    "手続主体",
    "手続の受け手",
    "経由機関",
    "独立行政法人等の名称",
    "事務区分",
    "府省共通手続",
    "実施府省庁",
    "オンライン化の実施状況",
    "オンライン化の実施予定及び検討時の懸念点",
    "オンライン化実施時期",
    "申請等における本人確認手法",
    "手数料等の納付有無",
    "手数料等の納付方法",
    "手数料等のオンライン納付時の優遇措置",
    "処理期間(オンライン)",
    "処理期間(非オンライン)",
    "情報システム(申請)",
    "情報システム(事務処理)",
    "総手続件数",
    "オンライン手続件数",
    "非オンライン手続件数",
    "申請書等に記載させる情報",
    "申請時に添付させる書類",
    "添付書類等提出の撤廃/省略状況",
    "添付書類等の提出方法",
    "添付書類等への電子署名",
    "添付形式等が定められた規定",
    "手続が行われるイベント(個人)",
    "手続が行われるイベント(法人)",
    "申請に関連する士業",
    "申請を提出する機関",
)

R7_COLUMNS: tuple[str, ...] = (
    "手続ID",
    "所管府省庁",
    "手続名",
    "法令名",
    "根拠条項号",
    "関連条項号",
    "関連する根拠法令",
    "手続類型",
    "手続主体",
    "手続の受け手",
    "手続(類型、主体、受け手等)に関する補足",
    "経由機関",
    "独立行政法人等の名称",
    "事務区分",
    "府省共通手続",
    "実施府省庁",
    "実施府省庁(府省共通手続)",
    "オンライン化の実施状況",
    "オンライン化の実施予定及び検討時の懸念点",
    "オンライン化の実施状況に関する補足",
    "オンライン化実施時期",
    "申請等における本人確認手法",
    "手数料等の納付有無",
    "手数料等の納付方法",
    "手数料等に関する補足",
    "手数料等のオンライン納付時の優遇措置",
    "処理期間(オンライン)",
    "処理期間(非オンライン)",
    "情報システム(申請)",
    "情報システム（申請）複数ある場合",
    "情報システム(事務処理)",
    "総手続件数",
    "オンライン手続件数",
    "非オンライン手続件数",
    "申請書等に記載させる情報",
    "申請時に添付させる書類",
    "添付書類等提出の撤廃/省略状況",
    "添付書類等の提出方法",
    "添付書類等への電子署名",
    "添付形式等が定められた規定",
    "添付書類等に関する補足",
    "手続が行われるイベント(個人)",
    "手続が行われるイベント(法人)",
    "申請に関連する士業",
    "申請を提出する機関",
    "士業、機関に関する補足",
)


@dataclass(frozen=True)
class Layout:
    """One schema version of the inventory file."""

    id: str  # "R6" | "R7"
    survey_year: int  # the fiscal year of the survey (its volumes count the year before)
    columns: tuple[str, ...]
    online_statuses: tuple[str, ...]
    #: columns holding several values separated by ';' (as published)
    multi_valued: frozenset[str]


_COMMON_MULTI = frozenset(
    {
        "手数料等の納付方法",
        "申請書等に記載させる情報",
        "申請時に添付させる書類",
        "添付書類等の提出方法",
        "手続が行われるイベント(個人)",
        "手続が行われるイベント(法人)",
        "申請に関連する士業",
        "申請を提出する機関",
    }
)

R6 = Layout(
    "R6",
    2024,
    R6_COLUMNS,
    ("1", "2", "3", "4", "5"),
    _COMMON_MULTI | {"実施府省庁", "オンライン化の実施予定及び検討時の懸念点", "申請等における本人確認手法"},
)
R7 = Layout(
    "R7",
    2025,
    R7_COLUMNS,
    ("1", "2", "3", "4"),
    _COMMON_MULTI | {"実施府省庁(府省共通手続)", "添付書類等提出の撤廃/省略状況", "添付書類等への電子署名"},
)
LAYOUTS = (R6, R7)

#: 手続類型 (code → name)
PROCEDURE_TYPES: dict[str, str] = {
    "1": "申請等",
    "2-1": "申請等に基づく処分通知等",
    "2-2": "申請等に基づかない処分通知等",
    "2-3": "交付等（民間手続）",
    "3": "縦覧等",
    "4": "作成・保存等",
}
#: 手続主体 / 手続の受け手 / 経由機関 (code → name)
PARTIES: dict[str, str] = {
    "1": "国",
    "2": "独立行政法人等",
    "3": "地方等",
    "4-1": "国又は独立行政法人等",
    "4-2": "独立行政法人等又は地方等",
    "4-3": "国又は地方等",
    "4-4": "国、独立行政法人等又は地方等",
    "5": "国民等",
    "6": "民間事業者等",
    "7": "国民等、民間事業者等",
}
#: オンライン化の実施状況 (code → name); 5 only in the R6 layout
ONLINE_STATUSES: dict[str, str] = {
    "1": "実施済",
    "2": "未実施",
    "3": "適用除外",
    "4": "その他",
    "5": "一部実施済",
}
#: 府省共通手続: the symbols as either year publishes them → one canonical symbol
COMMON_PROCEDURE_SYMBOLS: dict[str, str] = {"○": "○", "〇": "○", "●": "●", "×": "×", "✕": "×"}

#: 申請時に添付させる書類 (the R7 code list; R6 uses the same names)
ATTACHMENTS: tuple[str, ...] = (
    "住民票",
    "戸籍",
    "登記事項証明書（商業）",
    "登記事項証明書（不動産）",
    "印鑑登録証明書（個人）",
    "印鑑登録証明書（法人）",
    "所得証明書・納税証明書",
    "健康保険及び厚生年金保険の納入証明書",
    "定款",
    "決算書",
    "社員名簿",
    "営業許可証（食品衛生法、建設業等）",
    "資格証明書（くるみん認定等）",
    "その他の添付書類",
    "添付書類なし",
)
#: attachments a look-up in a base registry (through the data mesh) can replace, and which registry
REGISTRY_REPLACEABLE: dict[str, str] = {
    "住民票": "住民基本台帳",
    "戸籍": "戸籍（戸籍情報連携）",
    "登記事項証明書（商業）": "商業・法人登記",
    "登記事項証明書（不動産）": "不動産登記",
    "所得証明書・納税証明書": "税情報（情報連携）",
}
NO_ATTACHMENT = "添付書類なし"

#: 手続が行われるイベント(個人) and (法人), as the data spells them (half-width brackets)
LIFE_EVENTS_PERSON: tuple[str, ...] = (
    "妊娠",
    "出生・こども",
    "引越し",
    "就職・転職",
    "結婚・離婚",
    "自動車の購入・保有",
    "住宅の購入・保有",
    "介護",
    "医療・健康",
    "税金",
    "年金の受給",
    "死亡・相続",
    "その他イベント(個人)",
    "その他(個人も法人にもあてはまらない)",
)
LIFE_EVENTS_CORPORATE: tuple[str, ...] = (
    "法人の設立",
    "法人の情報変更・役員変更",
    "職員の採用・退職",
    "入札・契約",
    "事務所の新設・移転",
    "新しい事業の開始",
    "法人の合併・分割",
    "法人の承継・廃業",
    "定期的な報告等",
    "作業ごとの報告等",
    "その他イベント(法人)",
    "その他(個人も法人にもあてはまらない)",
)

#: 所管府省庁: the 26 names of the survey's explanatory material (調査結果解説資料), and the
#: 会計検査院 that the published file also names
MINISTRIES: tuple[str, ...] = (
    "内閣官房",
    "内閣法制局",
    "人事院",
    "内閣府",
    "宮内庁",
    "公正取引委員会",
    "警察庁",
    "個人情報保護委員会",
    "カジノ管理委員会",
    "金融庁",
    "消費者庁",
    "こども家庭庁",
    "デジタル庁",
    "復興庁",
    "総務省",
    "法務省",
    "外務省",
    "財務省",
    "文部科学省",
    "厚生労働省",
    "農林水産省",
    "経済産業省",
    "国土交通省",
    "環境省",
    "原子力規制委員会",
    "防衛省",
    "会計検査院",  # not among the 26, but 所管府省庁 of 54 rows of the published 令和6年度 file
)
#: names found in the published data that are not among the 26, mapped to the one they belong to:
#: external bureaus and agencies to their ministry, the 原子力規制庁 to its commission, typos
MINISTRY_ALIASES: dict[str, str] = {
    "閣府": "内閣府",
    "内閣府本府": "内閣府",
    "国家公安委員会": "警察庁",
    "国家公安委員会・警察庁": "警察庁",  # as the published 令和6年度 file names it (2,010 rows)
    "原子力規制庁": "原子力規制委員会",
    "公害等調整委員会": "総務省",
    "消防庁": "総務省",
    "公安調査庁": "法務省",
    "出入国在留管理庁": "法務省",
    "国税庁": "財務省",
    "文化庁": "文部科学省",
    "スポーツ庁": "文部科学省",
    "中央労働委員会": "厚生労働省",
    "林野庁": "農林水産省",
    "水産庁": "農林水産省",
    "資源エネルギー庁": "経済産業省",
    "特許庁": "経済産業省",
    "中小企業庁": "経済産業省",
    "観光庁": "国土交通省",
    "気象庁": "国土交通省",
    "運輸安全委員会": "国土交通省",
    "海上保安庁": "国土交通省",
    "防衛装備庁": "防衛省",
    "厚労省": "厚生労働省",
    "国交省": "国土交通省",
    "経産省": "経済産業省",
    "農水省": "農林水産省",
    "文科省": "文部科学省",
}

#: separators seen in multi-value cells other than the published ';'
FOREIGN_SEPARATORS: tuple[str, ...] = ("；", "、", "，", ",", "・", "＋", "+", "／", "/", "\n")


def columns_of(layout_id: str) -> tuple[str, ...]:
    return next(layout.columns for layout in LAYOUTS if layout.id == layout_id)
