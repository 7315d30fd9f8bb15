"""Each normalizer rule, against the real towns of the sample municipalities."""

import pytest

from tsunagu.registry.addresses.names import kanji_number, parse_kanji_number
from tsunagu.registry.addresses.normalizer.block import split_block
from tsunagu.registry.addresses.normalizer.index import AddressIndex
from tsunagu.registry.addresses.normalizer.text import block_numbers_to_arabic, chome_to_kanji, clean


def parts(index: AddressIndex, text: str) -> tuple[str, ...]:
    result = index.normalize(text)
    a = result.address
    if a is None:
        return (result.level,)
    return (result.level, a.prefecture, a.municipality, a.town, a.banchi, a.go, a.building)


KASUMIGASEKI = ("block", "東京都", "千代田区", "霞が関二丁目", "1", "1", "")


@pytest.mark.parametrize(
    "text",
    [
        "東京都千代田区霞が関2-1-1",  # half-width digits
        "東京都千代田区霞が関２－１－１",  # full-width digits and hyphen
        "東京都千代田区霞が関二丁目1番1号",  # 丁目/番/号
        "東京都千代田区霞が関二丁目一番一号",  # 漢数字 block numbers
        "東京都千代田区霞が関2丁目1番地1",  # arabic 丁目, 番地
        "東京都千代田区霞が関2‐1‐1",  # U+2010
        "東京都千代田区霞が関2ー1ー1",  # long vowel used as a hyphen
        "東京都千代田区霞が関2−1−1",  # U+2212
        "東京都千代田区霞が関2-1の1",  # の
        "東京都 千代田区 霞が関 2-1-1",  # spaces between parts
        "〒100-0013 東京都千代田区霞が関2-1-1",  # a postcode in front
        "千代田区霞が関2-1-1",  # missing prefecture, unique municipality
        "東京千代田区霞が関2-1-1",  # 東京 for 東京都
        "東京都千代田区霞ケ関2-1-1",  # ケ for が
        "東京都千代田区霞ヶ関2-1-1",  # ヶ for が
    ],
)
def test_variants_of_one_address(sample_index: AddressIndex, text: str) -> None:
    assert parts(sample_index, text) == KASUMIGASEKI


def test_codes_postcode_and_point(sample_index: AddressIndex) -> None:
    result = sample_index.normalize("千代田区霞が関2-1-1")
    assert result.address is not None
    assert (result.address.prefecture_code, result.address.municipality_code) == ("13", "131016")
    assert result.address.chome == 2 and result.address.postcode == "1000013"
    assert result.lat is not None and result.lng is not None


def test_building_and_room_kept_apart(sample_index: AddressIndex) -> None:
    assert parts(sample_index, "横須賀市小川町11番地 サンハイツ横須賀203号室") == (
        "block",
        "神奈川県",
        "横須賀市",
        "小川町",
        "11",
        "",
        "サンハイツ横須賀203号室",
    )
    assert (
        parts(sample_index, "東京都千代田区丸の内1-9-1 グラントウキョウノースタワー 5F")[-1]
        == "グラントウキョウノースタワー 5F"
    )
    assert parts(sample_index, "東京都中央区銀座4-6-16-305")[4:] == ("6", "16", "305")


def test_half_width_kana_building(sample_index: AddressIndex) -> None:
    assert parts(sample_index, "横須賀市小川町11 ｻﾝﾊｲﾂ101")[-1] == "サンハイツ101"


def test_missing_prefecture_is_inferred_only_when_unique(sample_index: AddressIndex) -> None:
    # 府中市 exists in 東京都 and 広島県: the town decides; 中央区 is in 東京都 and 札幌市 (as 札幌市中央区)
    assert parts(sample_index, "府中市宮西町2-24")[1:4] == ("東京都", "府中市", "宮西町二丁目")
    assert parts(sample_index, "東京都府中市宮西町2-24")[1:4] == ("東京都", "府中市", "宮西町二丁目")
    assert parts(sample_index, "府中市")[0] == "unmatched"


def test_designated_city_ward(sample_index: AddressIndex) -> None:
    assert parts(sample_index, "北海道札幌市中央区北一条西2丁目1番地")[:4] == (
        "block",
        "北海道",
        "札幌市中央区",
        "北一条西二丁目",
    )
    assert parts(sample_index, "札幌市北一条西2-1")[2:4] == ("札幌市中央区", "北一条西二丁目")  # ward omitted


def test_renamed_ward(sample_index: AddressIndex) -> None:
    result = sample_index.normalize("静岡県浜松市中区元城町103-2")
    assert result.level in ("block", "municipality")
    assert result.address is not None and result.address.municipality.startswith("浜松市")


def test_oaza_and_district(sample_index: AddressIndex) -> None:
    assert parts(sample_index, "三重県三重郡菰野町大字菰野1234")[:4] == (
        "block",
        "三重県",
        "三重郡菰野町",
        "大字菰野",
    )
    assert parts(sample_index, "三重県三重郡菰野町菰野1234")[3] == "大字菰野"  # 大字 omitted
    assert parts(sample_index, "三重郡菰野町菰野1234")[1] == "三重県"  # 三重 is not the prefecture here
    assert parts(sample_index, "北海道当別町")[:3] == ("municipality", "北海道", "石狩郡当別町")  # 郡 omitted


def test_variant_municipality_names(sample_index: AddressIndex) -> None:
    assert parts(sample_index, "千葉県袖ヶ浦市坂戸市場1-1")[2:4] == ("袖ケ浦市", "坂戸市場")
    assert parts(sample_index, "茨城県竜ヶ崎市")[:3] == ("municipality", "茨城県", "龍ケ崎市")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("東京都", "prefecture"),
        ("東京都どこか", "prefecture"),
        ("東京都千代田区", "municipality"),
        ("東京都千代田区存在しない町1-1", "municipality"),
        ("東京都千代田区丸の内一丁目", "town"),
        ("あいうえお", "unmatched"),
        ("", "unmatched"),
        ("1234-5678", "unmatched"),
        ("!!!???", "unmatched"),
    ],
)
def test_match_levels_and_garbage(sample_index: AddressIndex, text: str, level: str) -> None:
    assert sample_index.normalize(text).level == level


def test_text_helpers() -> None:
    assert clean("１２３ＡＢＣ　ｶﾅ") == "123ABC カナ"
    assert clean("センター1ー2") == "センター1-2"  # ー stays inside words
    assert chome_to_kanji("丸の内12丁目") == "丸の内十二丁目"
    assert block_numbers_to_arabic("十二番地五") == "12番地5"
    assert block_numbers_to_arabic("一番町") == "一番町"
    assert [kanji_number(n) for n in (1, 10, 12, 20, 101)] == ["一", "十", "十二", "二十", "百一"]
    assert [parse_kanji_number(t) for t in ("三", "十二", "二十", "百一", "二〇", "x")] == [
        3,
        12,
        20,
        101,
        20,
        None,
    ]


@pytest.mark.parametrize(
    ("rest", "expected"),
    [
        ("1-2-3", ("1", "2", "3")),
        ("12番地3号", ("12", "3", "")),
        ("12番地の3", ("12", "3", "")),
        ("5 ビル", ("5", "", "ビル")),
        ("ビル名のみ", ("", "", "ビル名のみ")),
        ("第3", ("3", "", "")),
    ],
)
def test_split_block(rest: str, expected: tuple[str, str, str]) -> None:
    block = split_block(rest)
    assert (block.banchi, block.go, block.building) == expected


def test_koaza(sample_index: AddressIndex) -> None:
    named = sample_index.normalize("三重県三重郡菰野町大字菰野字辰巳野1234")
    assert named.address is not None
    assert (named.address.town, named.address.koaza, named.address.banchi) == ("大字菰野", "辰巳野", "1234")
    without = sample_index.normalize("三重県三重郡菰野町菰野1234")
    assert without.address is not None and without.address.koaza == ""
    assert without.address.town_id != named.address.town_id
