"""Checking and normalizing one inventory file (棚卸データ) row by row.

Header names are matched exactly against the R6 and R7 layouts. Every problem is collected with
its line and column (all-or-nothing: one problem and nothing is imported). The known quality
defects of the published files are normalized and counted, each with a first example, so that the
import report says what was changed: separators other than ';' in multi-value cells, ministry
names outside the 26 of the explanatory material, 〇 (U+3007) for ○ (U+25CB) and ✕ for ×, and
full-width brackets in life-event names.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tsunagu.core.messages import N_
from tsunagu.oversight import layouts
from tsunagu.oversight.layouts import Layout
from tsunagu.oversight.reading import Cell

MAX_PROBLEMS = 200  # listed in full; the rest are counted
_CODE = re.compile(r"^\s*([0-9]+(?:-[0-9]+)?)[\s\u3000]+(.+?)\s*$")
_WIDE_DIGITS = re.compile(r"[０-９]")
VOLUME_COLUMNS = ("総手続件数", "オンライン手続件数", "非オンライン手続件数")


@dataclass(frozen=True)
class Problem:
    """One reason the file cannot be imported: where (line of the file, column name) and what."""

    line: int
    column: str
    template: str  # a gettext message id with %(name)s parameters, so a page can show it in English
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % self.params

    def as_error(self) -> dict[str, Any]:
        return {
            "location": ["file", f"line {self.line}", self.column],
            "type": "inventory-row",
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "template": self.template,
            "params": self.params,
        }


@dataclass
class Normalizations:
    """What was changed, by kind: how often, and the first example (line, before → after)."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def note(self, kind: str, line: int, before: str, after: str) -> None:
        self.counts[kind] += 1
        self.examples.setdefault(kind, f"{line}行目: 「{before}」→「{after}」")

    def as_list(self) -> list[dict[str, Any]]:
        return [
            {"kind": kind, "count": count, "example": self.examples[kind]}
            for kind, count in self.counts.most_common()
        ]


NORMALIZATION_KINDS = {
    "separator": N_("複数値の区切りを「;」にそろえました"),
    "ministry": N_("府省庁名を一覧の名称にそろえました"),
    "symbol": N_("府省共通手続の記号（〇 U+3007・✕）を ○・× にそろえました"),
    "bracket": N_("イベント名の全角括弧を半角にそろえました"),
    "space": N_("コード値の全角空白を半角にそろえました"),
    "unknown-ministry-listed": N_("実施府省庁に一覧にない名称があります（そのまま保存）"),
    "no-type": N_("手続類型が空の行を「類型不明」として取り込みました"),
}


def detect_layout(header: list[str]) -> Layout | list[Problem]:
    """The layout whose column names are exactly these (in any order), or the problems naming the
    missing and unknown columns against the nearer layout."""
    names = [h.strip() for h in header]
    while names and names[-1] == "":
        names.pop()
    for layout in layouts.LAYOUTS:
        if sorted(names) == sorted(layout.columns):
            return layout
    nearest = max(layouts.LAYOUTS, key=lambda lay: len(set(names) & set(lay.columns)))
    problems: list[Problem] = []
    missing = [c for c in nearest.columns if c not in names]
    unknown = [c for c in names if c not in nearest.columns]
    for name in missing:
        problems.append(
            Problem(
                2,
                name,
                N_("列「%(name)s」がありません（%(layout)s 様式の%(count)d列の一つ）"),
                {"name": name, "layout": nearest.id, "count": len(nearest.columns)},
            )
        )
    for name in unknown:
        problems.append(
            Problem(
                2,
                name or "(空欄)",
                N_("列「%(name)s」は %(layout)s 様式にない列名です（同名の列が重複しています）")
                if name in nearest.columns
                else N_("列「%(name)s」は %(layout)s 様式にない列名です"),
                {"name": name, "layout": nearest.id},
            )
        )
    duplicates = [n for n, c in Counter(names).items() if c > 1]
    problems += [
        Problem(2, n, N_("列「%(name)s」が%(times)d回あります"), {"name": n, "times": Counter(names)[n]})
        for n in duplicates
    ]
    return problems


def text(cell: Cell) -> str:
    if cell.__class__ is str:
        return cell.strip()  # type: ignore[union-attr,unused-ignore]
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


class RowParser:
    """Turns one data row into the stored values, noting normalizations and problems."""

    def __init__(self, layout: Layout, header: list[str], normalized: Normalizations) -> None:
        self.layout = layout
        self.index = {name.strip(): i for i, name in enumerate(header) if name.strip()}
        self.normalized = normalized
        self.problems: list[Problem] = []
        width = max(self.index.values()) + 1
        self._width = width
        self._details = [
            (self.index[c], c, c in layout.multi_valued) for c in layout.columns if c in self.index
        ]
        self._vocabulary = {
            "申請時に添付させる書類": frozenset(layouts.ATTACHMENTS),
            "手続が行われるイベント(個人)": frozenset(layouts.LIFE_EVENTS_PERSON),
            "手続が行われるイベント(法人)": frozenset(layouts.LIFE_EVENTS_CORPORATE),
            "実施府省庁": frozenset(layouts.MINISTRIES) | layouts.MINISTRY_ALIASES.keys(),
            "実施府省庁(府省共通手続)": frozenset(layouts.MINISTRIES) | layouts.MINISTRY_ALIASES.keys(),
        }

    def cell(self, row: list[Cell], name: str) -> Cell:
        i = self.index[name]
        return row[i] if i < len(row) else None

    def problem(self, line: int, where: str, template: str, /, **params: Any) -> None:
        self.problems.append(Problem(line, where, template, params))

    def parse(self, line: int, row: list[Cell]) -> dict[str, Any] | None:
        before = len(self.problems)
        procedure_id = text(self.cell(row, "手続ID"))
        if not procedure_id:
            self.problem(line, "手続ID", N_("手続ID が空です"))
        elif not re.fullmatch(r"[0-9A-Za-z-]{1,32}", procedure_id):
            self.problem(
                line,
                "手続ID",
                N_("手続ID「%(value)s」は英数字とハイフン32字以内ではありません"),
                value=procedure_id,
            )
        name = text(self.cell(row, "手続名"))
        if not name:
            self.problem(line, "手続名", N_("手続名が空です"))
        values: dict[str, Any] = {
            "procedure_id": procedure_id,
            "name": name[:1000],
            "ministry": self._ministry(line, text(self.cell(row, "所管府省庁"))),
            "law_name": text(self.cell(row, "法令名"))[:500],
            "type_code": self._type(line, row),
            "subject_code": self._code(line, row, "手続主体", layouts.PARTIES),
            "recipient_code": self._code(line, row, "手続の受け手", layouts.PARTIES),
            "online_status": self._code(
                line,
                row,
                "オンライン化の実施状況",
                {c: layouts.ONLINE_STATUSES[c] for c in self.layout.online_statuses},
            ),
            "common": self._symbol(line, text(self.cell(row, "府省共通手続"))),
        }
        for column, key in zip(VOLUME_COLUMNS, ("total_count", "online_count", "offline_count"), strict=True):
            values[key] = self._volume(line, column, self.cell(row, column))
        values["attachments"] = self._joined(self._multi(line, row, "申請時に添付させる書類"))
        events = self._multi(line, row, "手続が行われるイベント(個人)", brackets=True)
        events += [
            e
            for e in self._multi(line, row, "手続が行われるイベント(法人)", brackets=True)
            if e not in events
        ]
        values["life_events"] = self._joined(events)
        details: dict[str, str] = {}
        cells = row if len(row) >= self._width else row + [None] * (self._width - len(row))
        for i, column, multi in self._details:
            if value := text(cells[i]):
                if multi and column not in self._vocabulary:
                    value = self._separators(line, column, value)
                details[column] = value
        for column in ("実施府省庁", "実施府省庁(府省共通手続)"):
            if column in details:
                details[column] = ";".join(self._listed_ministries(line, column, row))
        values["details"] = details
        return values if len(self.problems) == before else None

    @staticmethod
    def _joined(values: list[str]) -> str:
        """Multi values stored as ``;a;b;`` so that one value is found with LIKE '%;a;%'."""
        return ";" + ";".join(values) + ";" if values else ""

    def _ministry(self, line: int, name: str) -> str:
        folded = re.sub(r"[\s\u3000]", "", name)
        if folded in layouts.MINISTRIES:
            if folded != name:
                self.normalized.note("space", line, name, folded)
            return folded
        if folded in layouts.MINISTRY_ALIASES:
            canonical = layouts.MINISTRY_ALIASES[folded]
            self.normalized.note("ministry", line, name, canonical)
            return canonical
        if name:
            self.problem(
                line, "所管府省庁", N_("府省庁「%(value)s」は調査の府省庁の一覧にありません"), value=name
            )
        else:
            self.problem(line, "所管府省庁", N_("所管府省庁が空です"))
        return ""

    def _listed_ministries(self, line: int, column: str, row: list[Cell]) -> list[str]:
        found: list[str] = []
        for value in self._multi(line, row, column):
            canonical = layouts.MINISTRY_ALIASES.get(value, value)
            if canonical != value:
                self.normalized.note("ministry", line, value, canonical)
            elif canonical not in layouts.MINISTRIES:
                self.normalized.note("unknown-ministry-listed", line, value, value)
            if canonical not in found:
                found.append(canonical)
        return found

    def _type(self, line: int, row: list[Cell]) -> str:
        """手続類型; a few rows of the published file have none: kept as unknown and reported."""
        if not text(self.cell(row, "手続類型")):
            self.normalized.note("no-type", line, "", "類型不明")
            return ""
        return self._code(line, row, "手続類型", layouts.PROCEDURE_TYPES)

    def _code(
        self, line: int, row: list[Cell], column: str, codes: dict[str, str], required: bool = False
    ) -> str:
        raw = text(self.cell(row, column))
        if not raw:
            if required:
                self.problem(line, column, N_("%(column)sが空です"), column=column)
            return ""
        match = _CODE.match(raw)
        code = match.group(1) if match else raw
        if code not in codes:
            self.problem(
                line,
                column,
                N_("%(column)s「%(value)s」はこの様式のコード（%(codes)s）のどれでもありません"),
                column=column,
                value=raw,
                codes="、".join(f"{c} {n}" for c, n in codes.items()),
            )
            return ""
        if "\u3000" in raw:
            self.normalized.note("space", line, raw, f"{code} {codes[code]}")
        return code

    def _symbol(self, line: int, raw: str) -> str:
        if not raw:
            return ""
        mark = raw[0]
        if mark not in layouts.COMMON_PROCEDURE_SYMBOLS:
            self.problem(
                line,
                "府省共通手続",
                N_("府省共通手続「%(value)s」は ○・●・× のどれでもありません"),
                value=raw,
            )
            return ""
        canonical = layouts.COMMON_PROCEDURE_SYMBOLS[mark]
        if canonical != mark:
            self.normalized.note("symbol", line, raw, canonical + raw[1:])
        return canonical

    def _volume(self, line: int, column: str, cell: Cell) -> int | None:
        if cell is None or cell == "":
            return None  # 未回答・件数不明: not zero
        if isinstance(cell, bool):
            self.problem(line, column, N_("%(column)sが数ではありません"), column=column)
            return None
        if isinstance(cell, int | float):
            if isinstance(cell, float) and not cell.is_integer():
                self.problem(
                    line, column, N_("%(column)s「%(value)s」は整数ではありません"), column=column, value=cell
                )
                return None
            number = int(cell)
        else:
            raw = str(cell).strip()
            if _WIDE_DIGITS.search(raw):
                self.problem(
                    line,
                    column,
                    N_("%(column)s「%(value)s」に全角数字があります（半角で書いてください）"),
                    column=column,
                    value=raw,
                )
                return None
            if re.fullmatch(r"-?[0-9]{1,3}(,[0-9]{3})+", raw):
                self.problem(
                    line,
                    column,
                    N_("%(column)s「%(value)s」に桁区切りのカンマがあります（%(plain)s と書いてください）"),
                    column=column,
                    value=raw,
                    plain=raw.replace(",", ""),
                )
                return None
            if not re.fullmatch(r"-?[0-9]+", raw):
                self.problem(
                    line,
                    column,
                    N_("%(column)s「%(value)s」は件数（整数）ではありません"),
                    column=column,
                    value=raw,
                )
                return None
            number = int(raw)
        if number < 0:
            self.problem(line, column, N_("%(column)sが負の数（%(value)s）です"), column=column, value=number)
            return None
        if number > 10**12:
            self.problem(
                line,
                column,
                N_("%(column)s「%(value)s」は件数として大きすぎます"),
                column=column,
                value=number,
            )
            return None
        return number

    def _multi(self, line: int, row: list[Cell], column: str, brackets: bool = False) -> list[str]:
        if column not in self.index:
            return []
        raw = text(self.cell(row, column))
        if not raw:
            return []
        vocabulary = self._vocabulary.get(column)
        values: list[str] = []
        for piece in (p.strip() for p in raw.split(";")):
            if not piece:
                continue
            part = piece
            if brackets and ("（" in piece or "）" in piece):
                part = piece.replace("（", "(").replace("）", ")")
                self.normalized.note("bracket", line, piece, part)
            if vocabulary is None or part in vocabulary:
                values.append(part)
                continue
            split = self._split_foreign(part, vocabulary)
            if split:
                self.normalized.note("separator", line, part, ";".join(split))
                values += split
            else:
                values.append(part)  # an answer outside the code list is kept as written
        return values

    @staticmethod
    def _split_foreign(part: str, vocabulary: frozenset[str]) -> list[str] | None:
        """``part`` split by a separator other than ';' when every piece is a known value."""
        for separator in layouts.FOREIGN_SEPARATORS:
            if separator in part:
                pieces = [p.strip() for p in part.split(separator) if p.strip()]
                if len(pieces) > 1 and all(p in vocabulary for p in pieces):
                    return pieces
        return None

    def _separators(self, line: int, column: str, value: str) -> str:
        """Free multi-value columns (no code list): only the unambiguous full-width semicolon and
        line breaks are taken as separators."""
        fixed = re.sub(r"\s*(；|\n)\s*", ";", value)
        if fixed != value:
            self.normalized.note("separator", line, value, fixed)
        return fixed
