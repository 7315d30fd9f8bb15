"""What a check found (指摘): each violation with file, row, column, rule and the value (masked where it
is personal data), and the totals per rule. Only the first ``keep`` findings of a rule are kept in
full, so a file with a million errors still yields a bounded report; the totals are always exact."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from tsunagu.conformance.requirements import Text

#: the rules every requirement set shares: Table Schema's (named as frictionless names its errors),
#: our extensions, and problems reading a file
RULE_TITLES: dict[str, Text] = {
    "type-error": Text("データ型が違う", "value of the wrong type"),
    "constraint-error": Text(
        "制約(必須・桁数・形式・範囲)に反する", "constraint violated (required, length, pattern, range)"
    ),
    "unique-error": Text("一意であるべき値が重複", "value that must be unique repeated"),
    "primary-key": Text("主キーの重複", "primary key repeated"),
    "foreign-key": Text("参照先のない外部キー", "foreign key without a referenced row"),
    "missing-cell": Text("列が足りない行", "row with too few cells"),
    "extra-cell": Text("列が多すぎる行", "row with too many cells"),
    "blank-row": Text("空の行", "blank row"),
    "missing-label": Text("必要な列がない", "required column missing"),
    "extra-label": Text("定義にない列", "column not in the requirements"),
    "incorrect-label": Text("列の順序・名前が違う", "column out of order or misnamed"),
    "duplicate-label": Text("列名の重複", "column named twice"),
    "code-list": Text("コード表にない値", "value not in the code list"),
    "charset": Text("JIS X 0213 にない文字", "character outside JIS X 0213"),
    "wareki": Text("和暦の誤り", "wrong Japanese-era date"),
    "check-digit": Text("検査数字の誤り", "wrong check digit"),
    "missing-table": Text("必要なファイルがない", "required file missing"),
    "unknown-file": Text("要件にないファイル", "file not in the requirements"),
    "file-empty": Text("空のファイル", "empty file"),
    "file-missing": Text("開けないファイル", "file that cannot be opened"),
    "file-truncated": Text("途中で切れたファイル", "truncated file"),
    "file-too-large": Text("大きすぎるファイル", "file too large"),
    "zip-bomb": Text("ZIP爆弾の疑い", "suspected ZIP bomb"),
    "encoding-error": Text("文字コードの誤り", "wrong character encoding"),
    "format-error": Text("形式の誤り", "malformed file"),
}
SHOULD_RULES = frozenset({"unknown-file", "extra-label"})


def mask(value: str) -> str:
    """A personal value as its shape only: every letter and digit becomes ＊, separators stay."""
    shown = "".join(ch if ch in "-/:.　 " else "＊" for ch in value[:20])
    return shown + ("…" if len(value) > 20 else "")


@dataclass(frozen=True)
class Finding:
    rule: str
    level: str  # MUST | SHOULD
    file: str
    table: str
    row: int | None
    column: str | None
    value: str | None
    message_ja: str
    message_en: str

    def message(self, locale: str) -> str:
        return self.message_en if locale == "en" else self.message_ja


@dataclass
class RuleTotal:
    rule: str
    level: str
    title: Text
    count: int = 0


@dataclass
class Findings:
    keep: int = 1000
    kept: list[Finding] = field(default_factory=list)
    totals: dict[str, RuleTotal] = field(default_factory=dict)
    _per_rule: Counter[str] = field(default_factory=Counter)

    def add(self, finding: Finding, title: Text | None = None) -> None:
        total = self.totals.get(finding.rule)
        if total is None:
            total = self.totals[finding.rule] = RuleTotal(
                finding.rule,
                finding.level,
                title or RULE_TITLES.get(finding.rule, Text(finding.rule, finding.rule)),
            )
        total.count += 1
        if total.level == "SHOULD" and finding.level == "MUST":
            total.level = "MUST"
        if self._per_rule[finding.rule] < self.keep:
            self._per_rule[finding.rule] += 1
            self.kept.append(finding)

    @property
    def must(self) -> int:
        return sum(f.count for f in self.totals.values() if f.level == "MUST")

    @property
    def should(self) -> int:
        return sum(f.count for f in self.totals.values() if f.level == "SHOULD")

    def sorted_totals(self) -> list[RuleTotal]:
        return sorted(self.totals.values(), key=lambda t: (t.level != "MUST", -t.count, t.rule))


@dataclass
class Report:
    """One check's result; ``passed`` when no MUST rule is violated."""

    requirement_set: str
    title: Text
    inputs: list[str]
    rows: dict[str, int]
    findings: Findings
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.findings.must == 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "requirement_set": self.requirement_set,
            "title": asdict(self.title),
            "passed": self.passed,
            "inputs": self.inputs,
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "must": self.findings.must,
            "should": self.findings.should,
            "totals": [
                {"rule": t.rule, "level": t.level, "title": asdict(t.title), "count": t.count}
                for t in self.findings.sorted_totals()
            ],
            "findings": [asdict(f) for f in self.findings.kept],
            "findings_kept_per_rule": self.findings.keep,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        findings = Findings(keep=int(data.get("findings_kept_per_rule", 1000)))
        for total in data["totals"]:
            findings.totals[total["rule"]] = RuleTotal(
                total["rule"], total["level"], Text(**total["title"]), total["count"]
            )
        findings.kept = [Finding(**f) for f in data["findings"]]
        return cls(
            data["requirement_set"],
            Text(**data["title"]),
            list(data["inputs"]),
            dict(data["rows"]),
            findings,
            float(data.get("seconds", 0.0)),
        )
