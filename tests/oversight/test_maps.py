"""The prefecture tile grid from real coordinates: every prefecture of the shipped address data
(Geolonia 住所データ, CC BY 4.0) on its own tile, in Japan's shape."""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from dataclasses import dataclass

from tsunagu.oversight import maps
from tsunagu.registry.addresses.loader import TOWNS_FILE


@dataclass(frozen=True)
class Point:
    code: str
    name: str
    lat: float
    lng: float


def _prefecture_points() -> list[Point]:
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    with gzip.open(TOWNS_FILE, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["lat"]:
                found = sums[row["prefecture"]]
                found[0] += 1
                found[1] += float(row["lat"])
                found[2] += float(row["lng"])
    return [Point(str(n), name, s[1] / s[0], s[2] / s[0]) for n, (name, s) in enumerate(sorted(sums.items()))]


def test_every_prefecture_gets_its_own_tile_in_japans_shape() -> None:
    grid = {t.name: t for t in maps.tiles(_prefecture_points())}
    assert len(grid) == 47
    assert len({(t.column, t.row) for t in grid.values()}) == 47  # no two on one tile
    rows = {t.row for t in grid.values()}
    assert rows == set(range(len(rows)))  # empty rows closed up

    def north_of(a: str, b: str) -> bool:
        return grid[a].row < grid[b].row

    def east_of(a: str, b: str) -> bool:
        return grid[a].column > grid[b].column

    assert north_of("北海道", "青森県") and north_of("青森県", "宮城県") and north_of("宮城県", "東京都")
    assert east_of("東京都", "大阪府") and east_of("大阪府", "福岡県") and east_of("千葉県", "神奈川県")
    assert north_of("鹿児島県", "沖縄県") and grid["沖縄県"].inset and not grid["鹿児島県"].inset
    assert maps.short_name("神奈川県") == "神奈" and maps.short_name("北海道") == "北海"


def test_classes_spread_over_the_values_and_no_data_is_hatched() -> None:
    classes = maps.Classes.of([0.61, 0.66, 0.74])
    assert (classes.low, classes.high) == (0.6, 0.75)
    assert classes.labels()[0] == "60–63%" and classes.labels()[-1] == "72–75%"
    assert [classes.index(v) for v in (0.61, 0.66, 0.74)] == [0, 2, 4]
    grid = maps.tiles([Point("13", "東京都", 35.68, 139.69), Point("14", "神奈川県", 35.44, 139.64)])
    svg = maps.choropleth("m", "t", "d", grid, {"東京都": 0.7}, link="/d?p={}", no_data="データなし")
    assert 'fill="url(#m-none)"' in svg and "/d?p=%E6%9D%B1%E4%BA%AC%E9%83%BD" in svg
