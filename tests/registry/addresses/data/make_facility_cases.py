"""Writes facility_cases.csv: addresses from public facility lists as their publishers wrote them.

Three small excerpts, copied by hand from open data kept in public repositories:
- Sapporo's licensed nurseries (札幌市 open data, as published in codeforsapporo/papamama
  ``data/nurseryFacilities.geojson``): the list gives the ward (住所１) and the rest (住所２) apart;
  the input joins them as a form would.
- Schools of 千葉市中央区 and 花見川区 (国土数値情報 学校データ P29, MLIT, as kept in
  noki917/chika ``schools_chiba.js``): the list gives the municipality code and the address
  after it; the input is the ward without its city and the address, as a school list of one
  city reads.
- Kindergartens and schools of Tokyo's wards (noki917/chika ``schools_Tokyo.js``): written from
  the ward on, without the prefecture.
- Nurseries of 郡山市 (郡山市 open data, Koriyama-City/papamama ``data/nurseryFacilities.geojson``)
  and of 八王子市 (八王子市 open data, jun-s-19/makedata_papamama_hachioji
  ``data_orig/nurseryFacilities.csv``): the city and the rest, with 字, half-width ｰ and full-width
  hyphens as published.

Expected answers: the municipality from the list's own column or code; the 町字 from the same
brute-force labeller as ``make_realworld_cases.py``, never from the normalizer.
Run once: ``.venv/bin/python tests/registry/addresses/data/make_facility_cases.py``.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from make_realworld_cases import _label  # type: ignore[import-not-found]

from tsunagu.registry.addresses import loader
from tsunagu.registry.addresses.names import fold

HERE = Path(__file__).parent
OUT = HERE / "facility_cases.csv"
FIELDS = ("input", "prefecture", "municipality", "municipality_code", "town", "form", "source")

SAPPORO = """札幌市中央区|南11条西10丁目1番3号
札幌市中央区|南1条東7丁目2番15号
札幌市中央区|北5条西14丁目1番地29
札幌市中央区|北1条東8丁目1番地41
札幌市中央区|北5条西27丁目3番1号
札幌市中央区|南7条西18丁目3番29号
札幌市中央区|南13条西23丁目1番45号
札幌市中央区|南12条西8丁目3番16号
札幌市中央区|南18条西11丁目1番2号
札幌市中央区|南13条西23丁目1番40号
札幌市中央区|南23条西10丁目1番25号
札幌市中央区|宮の森2条5丁目2番20号
札幌市中央区|南4条西15丁目1番35号
札幌市中央区|大通東4丁目5番地1
札幌市中央区|南3条西7丁目1番地1
札幌市中央区|北4条西14丁目1番地25
札幌市中央区|大通西21丁目3番18号
札幌市中央区|北11条西17丁目36番122
札幌市中央区|南12条西16丁目1番5号
札幌市中央区|北5条西12丁目6番1号
札幌市中央区|北8条西18丁目35番100号エアリービル１F
札幌市中央区|大通東2丁目3番1号第36桂和ビル2F
札幌市中央区|北1条東6丁目
札幌市北区|北25条西3丁目3番3号
札幌市北区|新川1条5丁目1番23号
札幌市北区|新琴似8条3丁目1番40号
札幌市北区|南あいの里5丁目6番1号
札幌市北区|東茨戸1条1丁目8番31号
札幌市北区|百合が原1丁目1番1号"""

CHIBA = {
    "千葉市中央区": """祐光1-25-3 寒川町1-205 宮崎2-3-13 松ケ丘町580 新宿2-15-1 仁戸名町380 星久喜町1060
浜野町1335 塩田町316-1 生実町1928 川戸町450 今井3-15-32 大巌寺町375 大森町268 鶴沢町21-1 登戸2-11-1
都町1129 本町2-6-23 葛城2-9-1 松ケ丘町440 問屋町1-73 星久喜町823 南生実町258 南生実町1412 川戸町443
白旗1-5-3 椿森4-1-1 末広2-10-1 葛城1-5-2 弁天2-8-9 塩田町372 今井町1478 松波2-22-48 道場北1-17-6
花輪町45-3 本千葉町10-23 大巌寺町200 亥鼻1-8-1 仁戸名町673""",
    "千葉市花見川区": """こてはし台2-28-1 さつきが丘2-14 さつきが丘1-7 横戸町1005 花園4-1-2
花見川4-1 花見川1-1 花見川6-1 花見川8-1 検見川町3-322-23 作新台7-2-1 幕張本郷4-8-1 瑞穂1-2
幕張本郷3-22-6 西小中台3-1
朝日ケ丘2-6-1 長作町1273 柏井町4-48-1""",
}

TOKYO = """千代田区九段北2-4-1 千代田区六番町11-1 千代田区外神田3-4-10 千代田区富士見1-2-5 港区三田3-4-28
港区六本木5-6-14 港区芝公園4-7-4 港区芝2-25-6 港区元麻布1-6-21 港区白金台5-23-11 港区白金4-7-23
港区三田4-19-36
港区芝公園1-3-16 港区元麻布2-14-16 港区三田4-8-34 港区南麻布4-2-35 港区南麻布4-5-6 港区赤坂1-14-3
港区白金台3-2-19 港区西麻布3-21-6 港区南麻布5-6-8 港区西麻布4-13-25 新宿区原町3-87 新宿区戸山2-7-2
新宿区中落合4-3-1 新宿区四谷1-14 新宿区下落合2-15-11 新宿区下落合3-14-25 新宿区西落合4-8-18
新宿区上落合2-25-19 新宿区高田馬場2-8-18 文京区小日向2-17-7 文京区目白台1-18-14 文京区向丘2-4-1
文京区大塚1-2-10 文京区本駒込2-13-5 文京区白山4-14-15 文京区大塚5-40-1 文京区小石川4-12-8 文京区本駒込6-9-7
文京区目白台3-10-9 文京区白山2-37-3 文京区小石川3-2-23 文京区本郷2-35-14 文京区関口3-16-15 文京区本郷3-37-9
文京区小石川2-9-4 台東区蔵前2-11-10 台東区西浅草1-5-5 台東区清川1-4-3 台東区谷中5-2-4 台東区下谷2-18-2
台東区浅草2-3-1 台東区三ﾉ輪2-12-12 台東区上野桜木1-14-11 台東区谷中3-17-1 墨田区石原4-37-2 墨田区横網1-7-2
墨田区向島5-4-4 墨田区両国2-8-10 墨田区文花1-1-10 墨田区文花1-25-7 墨田区八広6-24-6 墨田区八広3-23-10
墨田区堤通1-5-9 江東区深川2-16-7 江東区森下1-3-17 江東区白河1-3-32 江東区平野1-6-11 江東区亀戸4-17-3
江東区大島2-22-3 江東区住吉2-14-6 江東区亀戸1-14-12 江東区東砂2-11-3 江東区石島3-15 江東区大島3-30-9
江東区東砂3-17-10 品川区旗の台3-2-17 品川区旗の台6-5-30 品川区南品川5-12-4"""

KORIYAMA = """郡山市芳賀二丁目5-6
郡山市大槻町字宮ノ前78-4
郡山市開成三丁目14-20
郡山市香久池一丁目15-4
郡山市桃見台10-2
郡山市富久山町久保田字伊賀河原44－１
郡山市大槻町字針生前田26-2
郡山市鶴見坦二丁目4-19
郡山市安積町荒井字南赤坂268-2
郡山市安積町日出山字一本松170
郡山市安積町成田字西田96-2
郡山市富久山町福原泉崎181-1
郡山市喜久田町堀之内字見陣原11-1
郡山市湖南町中野字諏訪前2338-2
郡山市熱海町高玉字樋口170
郡山市中田町柳橋字町向70
郡山市西田町三町目字仁王ヶ作18
郡山市日和田町字広野入5-18
郡山市田村町岩作字穂多礼76-1
郡山市田村町御代田字若葉町29
郡山市亀田一丁目42-16
郡山市安積町荒井字前田13-1
郡山市うねめ町225-2
郡山市町東三丁目66
郡山市鳴神三丁目31
郡山市堂前町21-14
郡山市赤木町23-2
郡山市希望ヶ丘22-1
郡山市桑野一丁目18-14
郡山市大槻町字西ノ宮西91-9
郡山市富久山町久保田字郷花4-13"""

HACHIOJI = """八王子市子安町四丁目31ｰ1
八王子市千人町三丁目5ｰ17
八王子市高尾町1737
八王子市下恩方町1314
八王子市富士見町21ｰ1
八王子市中野山王三丁目22-3
八王子市長房町588
八王子市北野町570ｰ12
八王子市弐分方町739
八王子市みなみ野六丁目1ｰ1
八王子市中野上町一丁目22ｰ11
八王子市石川町2966ｰ8
八王子市元横山町三丁目19ｰ13
八王子市元本郷町三丁目8ｰ16
八王子市八木町8-11
八王子市楢原町971
八王子市叶谷町1133
八王子市明神町四丁目9-1
八王子市片倉町2436
八王子市小門町7-18
八王子市台町四丁目4-14
八王子市子安町二丁目23-25
八王子市東浅川町968
八王子市中野町2517-2
八王子市横川町603
八王子市山田町1688-2
八王子市長沼町793
八王子市片倉町717-4
八王子市宮下町354
八王子市川口町2631
八王子市大和田町5-9-4
八王子市散田町五丁目35-5
八王子市諏訪町5
八王子市上壱分方町422-1
八王子市下柚木15-1
八王子市寺町1
八王子市館町1629
八王子市西寺方町716-2
八王子市高倉町47-2
八王子市鹿島15
八王子市大塚620-7
八王子市松が谷14
八王子市元八王子町二丁目2025-2
八王子市美山町1791-3
八王子市宇津木町832
八王子市平岡町20-3
八王子市大楽寺町347-1"""


def main() -> None:
    plan = loader.plan(loader.read_towns(loader.TOWNS_FILE), loader.postal_index())
    towns_of: dict[str, set[str]] = defaultdict(set)
    for t in plan.towns:
        towns_of[str(t["municipality_code"])].add(str(t["town"]))
    code_of = {(pref, fold(name)): code for code, (pref, name, _) in plan.municipalities.items()}
    prefecture_code = {name: code for code, name in plan.prefectures.items()}
    entries: list[tuple[str, str, str, str, str]] = []  # input, prefecture, municipality, written, form
    for line in SAPPORO.splitlines():
        ward, rest = line.split("|")
        entries.append((f"{ward}{rest}", "北海道", ward, rest, "grid-jo no-prefecture"))
    for city, text in CHIBA.items():
        for rest in text.split():
            ward = city.removeprefix("千葉市")
            entries.append((f"{ward}{rest}", "千葉県", city, rest, "ward-without-city"))
    for written in TOKYO.split():
        ward, rest = written.split("区", 1)
        entries.append((written, "東京都", f"{ward}区", rest, "no-prefecture"))
    for city, pref, text in (("郡山市", "福島県", KORIYAMA), ("八王子市", "東京都", HACHIOJI)):
        for written in text.splitlines():
            entries.append((written, pref, city, written.removeprefix(city), "no-prefecture"))
    rows = []
    for text, pref, municipality, rest, form in entries:
        code = code_of[(prefecture_code[pref], fold(municipality))]
        town = _label(rest, sorted(towns_of[code]))
        if town is None:
            print(f"left out (no single town): {text}")
            continue
        source = {
            "札幌市": "札幌市 認可保育所 (codeforsapporo/papamama)",
            "千葉市": "国土数値情報 学校データ P29 (noki917/chika)",
            "郡山市": "郡山市 保育所 (Koriyama-City/papamama)",
            "八王子市": "八王子市 保育所 (jun-s-19/makedata_papamama_hachioji)",
        }.get(
            municipality[: municipality.index("市") + 1] if "市" in municipality else "",
            "東京都 幼稚園・学校 (noki917/chika)",
        )
        rows.append(
            {
                "input": text,
                "prefecture": pref,
                "municipality": municipality,
                "municipality_code": code,
                "town": town,
                "form": form,
                "source": source,
            }
        )
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} cases written")


if __name__ == "__main__":
    main()
