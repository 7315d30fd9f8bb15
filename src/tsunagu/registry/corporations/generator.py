"""Deterministic synthetic corporations in the published NTA layout (for demos and benchmarks).

Names are built from real-sounding parts with their readings (株式会社つなぐ商事, 青葉建設合同会社);
numbers carry valid check digits; addresses are real municipalities with their real codes and
postcodes. Some corporations change name or address, close, or merge into another, so that the
history and closure paths are exercised.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

from tsunagu.core.types.corporate_number import CorporateNumber
from tsunagu.registry.corporations.nta_format import NtaRecord


@dataclass(frozen=True)
class _Place:
    prefecture_code: str
    prefecture: str
    city_code: str
    city: str
    town: str
    post_code: str


PLACES: tuple[_Place, ...] = (
    _Place("13", "東京都", "101", "千代田区", "丸の内", "1000005"),
    _Place("13", "東京都", "101", "千代田区", "霞が関", "1000013"),
    _Place("13", "東京都", "102", "中央区", "日本橋", "1030027"),
    _Place("13", "東京都", "103", "港区", "新橋", "1050004"),
    _Place("13", "東京都", "104", "新宿区", "西新宿", "1600023"),
    _Place("13", "東京都", "113", "渋谷区", "道玄坂", "1500043"),
    _Place("14", "神奈川県", "201", "横須賀市", "小川町", "2380004"),
    _Place("14", "神奈川県", "201", "横須賀市", "本町", "2380041"),
    _Place("14", "神奈川県", "104", "横浜市中区", "山下町", "2310023"),
    _Place("27", "大阪府", "128", "大阪市中央区", "本町", "5410053"),
    _Place("23", "愛知県", "105", "名古屋市中村区", "名駅", "4500002"),
    _Place("01", "北海道", "101", "札幌市中央区", "北一条西", "0600001"),
    _Place("40", "福岡県", "133", "福岡市中央区", "天神", "8100001"),
    _Place("26", "京都府", "104", "京都市中京区", "烏丸通", "6048005"),
    _Place("04", "宮城県", "101", "仙台市青葉区", "一番町", "9800811"),
    _Place("34", "広島県", "101", "広島市中区", "紙屋町", "7300031"),
)
STEMS: tuple[tuple[str, str], ...] = (
    ("つなぐ", "ツナグ"),
    ("青葉", "アオバ"),
    ("東邦", "トウホウ"),
    ("みなと", "ミナト"),
    ("大和", "ヤマト"),
    ("富士", "フジ"),
    ("さくら", "サクラ"),
    ("北斗", "ホクト"),
    ("光", "ヒカリ"),
    ("日進", "ニッシン"),
    ("中央", "チュウオウ"),
    ("山田", "ヤマダ"),
    ("高橋", "タカハシ"),
    ("若葉", "ワカバ"),
    ("朝日", "アサヒ"),
    ("三和", "サンワ"),
    ("丸の内", "マルノウチ"),
    ("瑞穂", "ミズホ"),
    ("平和", "ヘイワ"),
    ("緑", "ミドリ"),
    ("新星", "シンセイ"),
    ("あおい", "アオイ"),
)
TRADES: tuple[tuple[str, str], ...] = (
    ("商事", "ショウジ"),
    ("建設", "ケンセツ"),
    ("製作所", "セイサクショ"),
    ("電機", "デンキ"),
    ("運輸", "ウンユ"),
    ("不動産", "フドウサン"),
    ("食品", "ショクヒン"),
    ("システムズ", "システムズ"),
    ("工業", "コウギョウ"),
    ("薬品", "ヤクヒン"),
    ("デザイン", "デザイン"),
    ("農園", "ノウエン"),
    ("ソリューションズ", "ソリューションズ"),
    ("物産", "ブッサン"),
    ("技研", "ギケン"),
)
# 法人種別, its legal form in the name, and how often it occurs
KINDS: tuple[tuple[str, str, int], ...] = (
    ("301", "株式会社", 70),
    ("305", "合同会社", 18),
    ("302", "有限会社", 10),
    ("304", "合資会社", 2),
)
FIRST_DAY = date(2015, 10, 5)  # 法人番号 were first assigned on this day
ZENKAKU = str.maketrans("0123456789-", "０１２３４５６７８９－")


def _name(rng: random.Random, legal_form: str) -> tuple[str, str]:
    stem, stem_kana = rng.choice(STEMS)
    trade, trade_kana = rng.choice(TRADES)
    if rng.random() < 0.6:
        return f"{legal_form}{stem}{trade}", f"{stem_kana}{trade_kana}"
    return f"{stem}{trade}{legal_form}", f"{stem_kana}{trade_kana}"


def _street(rng: random.Random, place: _Place) -> str:
    chome = rng.randint(1, 5)
    return f"{place.town}{chome}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}".translate(ZENKAKU)


def _day(rng: random.Random, after: date, until: date) -> date:
    return after + timedelta(days=rng.randint(1, max(1, (until - after).days)))


def corporations(count: int, seed: int, *, until: date = date(2026, 10, 31)) -> Iterator[NtaRecord]:
    """``count`` corporations as published records, oldest change first within each corporation.

    The same ``count`` and ``seed`` always give the same records.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    bodies = rng.sample(range(10**11, 10**12), count)
    numbers = [str(CorporateNumber.with_check_digit(f"{body:012d}")) for body in bodies]
    kinds = [kind for kind in KINDS for _ in range(kind[2])]
    sequence = 0
    for index, number in enumerate(numbers):
        kind, legal_form, _weight = rng.choice(kinds)
        name, furigana = _name(rng, legal_form)
        place = rng.choice(PLACES)
        assigned = _day(rng, FIRST_DAY - timedelta(days=1), until - timedelta(days=400))
        record = NtaRecord(
            sequence_number=0,
            number=number,
            process="01",
            correction=False,
            update_date=assigned,
            change_date=assigned,
            name=name,
            kind=kind,
            prefecture_name=place.prefecture,
            city_name=place.city,
            street_number=_street(rng, place),
            prefecture_code=place.prefecture_code,
            city_code=place.city_code,
            post_code=place.post_code,
            address_outside="",
            close_date=None,
            close_cause="",
            successor_number="",
            change_cause="",
            assignment_date=assigned,
            latest=True,
            en_name="",
            en_prefecture_name="",
            en_city_name="",
            en_address_outside="",
            furigana=furigana,
            hidden=False,
        )
        history = [record]
        roll = rng.random()
        if roll < 0.15:  # 商号の変更
            new_name, new_furigana = _name(rng, legal_form)
            history.append(replace(record, process="11", name=new_name, furigana=new_furigana))
        elif roll < 0.30:  # 本店の移転
            moved_to = rng.choice(PLACES)
            history.append(
                replace(
                    record,
                    process="12",
                    prefecture_name=moved_to.prefecture,
                    city_name=moved_to.city,
                    street_number=_street(rng, moved_to),
                    prefecture_code=moved_to.prefecture_code,
                    city_code=moved_to.city_code,
                    post_code=moved_to.post_code,
                )
            )
        elif roll < 0.36:  # 清算結了
            history.append(replace(record, process="21", close_cause="01"))
        elif roll < 0.39 and index > 0:  # 吸収合併: absorbed by an earlier corporation
            successor = numbers[rng.randrange(index)]
            history.append(
                replace(
                    record,
                    process="71",
                    close_cause="11",
                    successor_number=successor,
                    change_cause=f"法人番号{successor}の法人に合併し解散",
                )
            )
        day = assigned
        for position, change in enumerate(history):
            if position:
                day = _day(rng, day, until)
            sequence += 1
            yield replace(
                change,
                sequence_number=sequence,
                update_date=day,
                change_date=day,
                close_date=day if change.close_cause else None,
                latest=position == len(history) - 1,
            )
