"""Writes normalizer_cases.csv: real towns written the ways people write addresses.

Run once (``python tests/registry/addresses/data/make_normalizer_cases.py``); the CSV is committed
so that the expected answers never come from the normalizer itself. The expected 町字 is the
source row of the towns file; the writing styles cover what forms and spreadsheets contain.
Hand-written cases (famous public buildings and tricky spellings) are in handwritten_cases.csv.
"""

from __future__ import annotations

import csv
import gzip
import random
import re
from collections import Counter
from pathlib import Path

import jaconv

HERE = Path(__file__).parent
TOWNS = HERE.parents[3] / "src" / "tsunagu" / "registry" / "data" / "towns.csv.gz"
KANJI = "〇一二三四五六七八九"
CHOME = re.compile(r"([一二三四五六七八九十]+)丁目$")
BUILDINGS = [
    "サンハイツ",
    "メゾン・ド・フルール",
    "グランドパレス",
    "コーポ山田",
    "第2さくら荘",
    "パークタワー",
    "ライオンズマンション",
    "ハイム緑",
    "ビラ・セレーナ",
    "エステート",
]


def kanji_to_int(text: str) -> int:
    total, current = 0, 0
    for ch in text:
        if ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = KANJI.index(ch)
    return total + current


def kanji_block(n: int) -> str:
    if n < 10:
        return KANJI[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else KANJI[tens]) + "十" + (KANJI[ones] if ones else "")


def write(row: dict[str, str], style: int, rng: random.Random) -> tuple[str, str, str, str]:
    """One way of writing the town's address; returns (text, banchi, go, building)."""
    pref, muni, town = row["prefecture"], row["municipality"], row["town"]
    banchi, go = str(rng.randint(1, 40)), str(rng.randint(1, 25)) if rng.random() < 0.7 else ""
    building = ""
    chome = CHOME.search(town)
    base = town[: chome.start()] if chome else town
    arabic_town = f"{base}{kanji_to_int(chome.group(1))}" if chome else town
    hy = "-"
    if style == 0:  # official: 一丁目1番2号
        block = f"{banchi}番{go}号" if go else f"{banchi}番地"
        text = f"{pref}{muni}{town}{block}"
    elif style == 1:  # hyphens, 丁目 as the first number
        text = f"{pref}{muni}{arabic_town}{'-' if chome else ''}{banchi}" + (f"-{go}" if go else "")
    elif style == 2:  # full width, no prefecture
        text = jaconv.h2z(
            f"{muni}{arabic_town}{'-' if chome else ''}{banchi}" + (f"-{go}" if go else ""),
            digit=True,
            ascii=True,
        )
    elif style == 3:  # building and room
        building = f"{rng.choice(BUILDINGS)}{rng.randint(1, 9)}0{rng.randint(1, 9)}号室"
        text = f"{pref}{muni}{town}{banchi}" + (f"-{go}" if go else "") + f" {building}"
    elif style == 4:  # 漢数字 everywhere
        block = f"{kanji_block(int(banchi))}番地" + (f"{kanji_block(int(go))}号" if go else "")
        text = f"{pref}{muni}{town}{block}"
    elif style == 5:  # spaces, long-vowel hyphens, 〒 in front
        hy = "ー"
        text = f"〒{rng.randint(100, 999)}-{rng.randint(0, 9999):04d} {pref} {muni} {town} {banchi}" + (
            f"{hy}{go}" if go else ""
        )
    elif style == 6:  # arabic 丁目, 番地の
        town_text = f"{base}{kanji_to_int(chome.group(1))}丁目" if chome else town
        text = f"{pref}{muni}{town_text}{banchi}番地" + (f"の{go}" if go else "")
    else:  # 大字 dropped, ケ/ヶ swapped, no prefecture
        text = f"{muni}{town.removeprefix('大字')}{banchi}" + (f"-{go}" if go else "")
        text = text.translate(str.maketrans({"ケ": "ヶ", "ヶ": "ケ"}))
    return text, banchi, go, building


def main() -> None:
    with gzip.open(TOWNS, "rt", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if not r["koaza"]]
    names = Counter((r["prefecture"], r["municipality"], r["town"]) for r in rows)
    rows = [
        r
        for r in rows
        if names[(r["prefecture"], r["municipality"], r["town"])] == 1
        and not re.search(r"[0-9０-９]", r["town"])
    ]
    rng = random.Random(20261122)
    chosen = rng.sample(rows, 320)
    with (HERE / "normalizer_cases.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["input", "prefecture", "municipality", "town", "banchi", "go", "building"])
        for number, row in enumerate(chosen):
            text, banchi, go, building = write(row, number % 8, rng)
            writer.writerow([text, row["prefecture"], row["municipality"], row["town"], banchi, go, building])


if __name__ == "__main__":
    main()
