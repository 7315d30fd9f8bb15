"""The written forms of issue 13, each on real public addresses, against every town in Japan.

Addresses are those of public offices and facilities as they publish them (city halls, ward
offices, the prefectural office, public nurseries of Sapporo's open data, Tokyo's school list,
Japan Post's list of offices), or Japan Post's own writing of a Kyoto town with its streets.
"""

from __future__ import annotations

import pytest

from tsunagu.registry.addresses.normalizer.index import AddressIndex, NormalizedAddress


def town_of(result: NormalizedAddress) -> tuple[str, str, str]:
    a = result.address
    return (a.municipality, a.town, a.block) if a else ("", "", "")


# -- below the prefecture ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("伏見区鷹匠町39-2", ("京都市伏見区", "鷹匠町", "39-2")),  # 伏見区役所: a ward without its city
        (
            "南区西九条南田町1-3",
            ("京都市南区", "西九条南田町", "1-3"),
        ),  # 南区役所 (京都): 12 cities have a 南区
        ("北区長曽根町130-23", ("堺市北区", "長曽根町", "130-23")),  # 北区役所 (堺)
        ("長野市鶴賀緑町1613", ("長野市", "大字鶴賀", "1613")),  # 長野市役所: no prefecture, 大字 omitted
        ("当別町白樺町58-9", ("石狩郡当別町", "白樺町", "58-9")),  # 当別町役場: no prefecture, no 郡
        ("石狩郡当別町白樺町58番地9", ("石狩郡当別町", "白樺町", "58-9")),
    ],
)
def test_starts_below_the_prefecture(
    national_index: AddressIndex, text: str, expected: tuple[str, str, str]
) -> None:
    assert town_of(national_index.normalize(text)) == expected


def test_an_ambiguous_ward_returns_its_candidates(national_index: AddressIndex) -> None:
    result = national_index.normalize("南区")
    assert result.level == "unmatched" and result.address is None
    names = {c.municipality for c in result.candidates}
    assert {"京都市南区", "札幌市南区", "福岡市南区"} <= names
    assert all(c.municipality_code for c in result.candidates)


def test_a_city_without_its_ward_finds_the_ward_from_the_town(national_index: AddressIndex) -> None:
    assert town_of(national_index.normalize("札幌市北一条西2-1"))[:2] == ("札幌市中央区", "北一条西二丁目")


# -- Kyoto street names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "street"),
    [
        ("上京区大宮通今出川上る観世町135-1", ("京都市上京区", "観世町", "135-1"), "大宮通今出川上る"),
        ("下京区仏光寺通東洞院東入仏光寺西町", ("京都市下京区", "仏光寺西町", ""), "仏光寺通東洞院東入"),
        (
            "京都府京都市中京区寺町通御池上る上本能寺前町488番地",
            ("京都市中京区", "上本能寺前町", "488"),
            "寺町通御池上る",
        ),  # 京都市役所
        (
            "京都府京都市上京区今出川通室町西入堀出シ町289",
            ("京都市上京区", "堀出シ町", "289"),
            "今出川通室町西入",
        ),  # 上京区役所
        (
            "京都市上京区下立売通新町西入藪之内町",
            ("京都市上京区", "藪之内町", ""),
            "下立売通新町西入",
        ),  # 府庁
        # a street that is also a town's name: 竹屋町 is a town, 竹屋町通 the street before 毘沙門町
        ("京都市中京区竹屋町通御幸町東入毘沙門町", ("京都市中京区", "毘沙門町", ""), "竹屋町通御幸町東入"),
        # Japan Post's office list: a landmark between the street and the town; 南入
        (
            "京都府京都市下京区堀川七条上る西本願寺前菱屋町150-1",
            ("京都市下京区", "菱屋町", "150-1"),
            "堀川七条上る西本願寺前",
        ),
        (
            "京都府京都市中京区河原町通二条南入一之船入町537番地の4",
            ("京都市中京区", "一之船入町", "537-4"),
            "河原町通二条南入",
        ),
    ],
)
def test_kyoto_street_part_is_read_past_and_kept(
    national_index: AddressIndex, text: str, expected: tuple[str, str, str], street: str
) -> None:
    result = national_index.normalize(text)
    assert town_of(result) == expected
    assert result.skipped == (street,)
    assert any(street in line for line in result.explanation)


def test_a_chome_inside_the_street_part_is_not_the_towns(national_index: AddressIndex) -> None:
    # Japan Post writes 仲之町 (上京区) as 御前通下立売上る2丁目: 2丁目 counts blocks along the street
    result = national_index.normalize("京都市上京区御前通下立売上る2丁目仲之町")
    assert town_of(result)[:2] == ("京都市上京区", "仲之町")
    assert result.address is not None and result.address.chome is None


# -- 大字・小字 and 地番 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "town", "koaza", "block"),
    [
        ("三重県員弁郡東員町大字山田1600", "大字山田", "", "1600"),  # 東員町役場
        ("三重県員弁郡東員町山田1600", "大字山田", "", "1600"),  # 大字 omitted
        ("岩手県胆沢郡金ケ崎町大字西根字大谷12", "西根", "大谷", "12"),
        ("岩手県胆沢郡金ケ崎町西根大谷12", "西根", "大谷", "12"),  # neither 大字 nor 字
        ("群馬県太田市大島町455番地1", "大島町", "", "455-1"),
        ("秋田県大館市比内町扇田字新大堤下93-6", "比内町扇田", "新大堤下", "93-6"),
        ("盛岡市飯岡新田4地割100", "飯岡新田", "四地割", "100"),  # 岩手's 地割
    ],
)
def test_oaza_koaza_and_chiban(
    national_index: AddressIndex, text: str, town: str, koaza: str, block: str
) -> None:
    a = national_index.normalize(text).address
    assert a is not None and (a.town, a.koaza, a.block) == (town, koaza, block)


@pytest.mark.parametrize(
    ("text", "town", "skipped"),
    [
        ("奈良県宇陀市榛原区下井足17-3", "榛原下井足", ()),  # 宇陀市's 区 inside the registry's name
        ("三重県北牟婁郡紀北町紀伊長島区東長島769番地1", "東長島", ("紀伊長島区",)),  # a 区 it does not name
    ],
)
def test_a_local_ward_that_is_no_designated_city_ward(
    national_index: AddressIndex, text: str, town: str, skipped: tuple[str, ...]
) -> None:
    result = national_index.normalize(text)
    assert result.address is not None and result.address.town == town
    assert result.skipped == skipped


def test_a_koaza_the_registry_does_not_list_is_read_past(national_index: AddressIndex) -> None:
    # 郡山市's public nursery list: 字諏訪前 is no registry 小字; the block after it still counts
    result = national_index.normalize("郡山市湖南町中野字諏訪前2338-2")
    assert town_of(result) == ("郡山市", "湖南町中野", "2338-2")
    assert result.skipped == ("字諏訪前",)


# -- grids and 丁目 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "town", "block"),
    [
        ("札幌市中央区北1条西2丁目", "北一条西二丁目", ""),  # 札幌市役所
        ("北海道札幌市中央区北2条西23丁目", "北二条西二十三丁目", ""),
        ("札幌市中央区南11条西10丁目1番3号", "南十一条西十丁目", "1-3"),  # public nurseries
        ("札幌市中央区宮の森2条5丁目2番20号", "宮の森二条五丁目", "2-20"),
        ("札幌市北区東茨戸1-2-314", "東茨戸一条二丁目", "314"),  # 条-丁目-番地 as numbers
        ("札幌市中央区南1西5", "南一条西五丁目", ""),  # shorthand
        ("旭川市4条通8丁目", "四条通八丁目", ""),
        ("北海道上川郡東川町東7号北1234", "東七号北", "1234"),  # 号 grid of 東川町
        ("大阪府堺市南区三原台1丁14番1号", "三原台一丁", "14-1"),  # 堺's 丁 without 目
        ("大阪府堺市堺区協和町4丁465", "協和町四丁", "465"),
        ("群馬県前橋市大手町2の4の9", "大手町二丁目", "4-9"),  # の between the numbers
        ("東京都千代田区霞が関2丁目1-1", "霞が関二丁目", "1-1"),
        ("東京都千代田区霞が関二丁目1-1", "霞が関二丁目", "1-1"),
        ("東京都千代田区霞が関2丁1-1", "霞が関二丁目", "1-1"),  # 丁 alone
        ("東京都千代田区霞が関二〇丁目", "", ""),  # 20丁目: none, not 2丁目
        ("山形県東村山郡山辺町緑ケ丘5番地", "緑ケ丘", "5"),  # 5番地 is no 丁目
    ],
)
def test_grid_and_chome(national_index: AddressIndex, text: str, town: str, block: str) -> None:
    result = national_index.normalize(text)
    assert (
        result.address.town if result.address else "",
        result.address.block if result.address else "",
    ) == (town, block)


# -- characters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "municipality", "town"),
    [
        ("台東区三ﾉ輪2-12-12", "台東区", "三ノ輪二丁目"),  # Tokyo's school list, half-width ﾉ
        ("千葉県鎌が谷市新鎌ケ谷2-6-1", "鎌ケ谷市", "新鎌ケ谷二丁目"),  # が for ケ
        ("千葉県鎌ヶ谷市新鎌ヶ谷2-6-1", "鎌ケ谷市", "新鎌ケ谷二丁目"),
        ("千葉県鎌个谷市新鎌ガ谷2-6-1", "鎌ケ谷市", "新鎌ケ谷二丁目"),
        ("北海道桧山郡上ノ国町字大留100", "檜山郡上ノ国町", "字大留"),  # 桧 for 檜
        ("神奈川県横濱市中区日本大通1", "横浜市中区", "日本大通"),  # 濱 for 浜
        ("茨城県竜ヶ崎市", "龍ケ崎市", ""),  # 竜 for 龍
        ("東京都千代田区一つ橋2-1-2", "千代田区", "一ツ橋二丁目"),  # つ for ツ
        ("愛媛\U000e0103県松山市二番町四丁目7-2", "松山市", "二番町四丁目"),  # a variation selector
        ("東京都\n千代田区　霞が関\r\n2-1-1", "千代田区", "霞が関二丁目"),  # line breaks, spaces
    ],
)
def test_variant_characters(national_index: AddressIndex, text: str, municipality: str, town: str) -> None:
    a = national_index.normalize(text).address
    assert a is not None and (a.municipality, a.town) == (municipality, town)


@pytest.mark.parametrize(
    "text",
    [
        "譚ｱ莠ｬ驛ｽ蜊・ｻ｣逕ｰ蛹ｺ",  # UTF-8 read as Shift_JIS
        "æ±äº¬é½åä»£ç°åº",  # UTF-8 read as Latin-1
        "\udcff\udc80東京",  # undecodable bytes kept as surrogates
        "\x00\x1b[31m",  # control characters
        "〒" * 2000,  # long
    ],
)
def test_unmappable_text_is_unmatched_never_an_error(national_index: AddressIndex, text: str) -> None:
    assert national_index.normalize(text).level in ("unmatched", "prefecture")


def test_a_building_name_with_town_words_stays_the_building(national_index: AddressIndex) -> None:
    # デジタル庁: the building's name repeats the town's
    result = national_index.normalize("東京都千代田区紀尾井町1-3 東京ガーデンテラス紀尾井町19階")
    assert town_of(result) == ("千代田区", "紀尾井町", "1-3")
    assert result.remainder == "東京ガーデンテラス紀尾井町19階"


# -- mergers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "municipality", "town"),
    [
        ("秋田県北秋田郡比内町扇田字新大堤下93-6", "大館市", "比内町扇田"),  # 比内町 → 大館市 (2005)
        ("静岡県清水市旭町6-8", "静岡市清水区", "旭町"),  # 清水市 → 静岡市清水区
        ("埼玉県浦和市常盤6-4-4", "さいたま市浦和区", "常盤六丁目"),  # 浦和市 → さいたま市浦和区
        ("福岡県筑紫郡那珂川町西隈1-1-1", "那珂川市", "西隈一丁目"),  # 那珂川町 → 那珂川市 (2018)
        ("東京都八丈町大賀郷2345-1", "八丈島八丈町", "大賀郷"),  # the registry names the island
    ],
)
def test_pre_merger_names(national_index: AddressIndex, text: str, municipality: str, town: str) -> None:
    result = national_index.normalize(text)
    assert town_of(result)[:2] == (municipality, town)
    assert result.explanation


def test_every_result_explains_itself(national_index: AddressIndex) -> None:
    result = national_index.normalize("伏見区鷹匠町39-2")
    assert result.explanation[0].startswith("都道府県: 京都府")
    assert any("ward without its city" in line for line in result.explanation)
    assert any(line.startswith("町字: 鷹匠町") for line in result.explanation)
    unmatched = national_index.normalize("東京都千代田区存在しない町1-1")
    assert unmatched.level == "municipality" and unmatched.remainder == "存在しない町1-1"


def test_an_address_written_from_the_town_on(national_index: AddressIndex) -> None:
    only = national_index.normalize("霞が関2-1-1")
    assert town_of(only) == ("千代田区", "霞が関二丁目", "1-1")
    several = national_index.normalize("鷹匠町39-2")  # 伏見区役所's town; six other cities have one
    assert several.level == "unmatched"
    assert "京都市伏見区" in {c.municipality for c in several.candidates}
    assert national_index.normalize("あいうえお").level == "unmatched"


def test_a_written_postcode_settles_an_ambiguous_ward(national_index: AddressIndex) -> None:
    # 鶴見区 is 横浜市's and 大阪市's, and both have a 鶴見二丁目
    assert national_index.normalize("鶴見区鶴見2丁目1-3").candidates
    settled = national_index.normalize("〒538-0053 鶴見区鶴見2丁目1-3")
    assert town_of(settled)[:2] == ("大阪市鶴見区", "鶴見二丁目")
