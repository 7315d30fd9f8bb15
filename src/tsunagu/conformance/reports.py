"""A check's report for people and for machines: HTML (Japanese first, summary first, a chart of
findings per rule and its data table, then the details), JSON, and JUnit XML for a vendor's CI.

The HTML report is one self-contained file (inline style, no script), so that a municipality can
keep it, mail it or open it offline; the web pages show the same summary and chart.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from tsunagu.conformance.findings import Report, RuleTotal
from tsunagu.conformance.pmo import AreaSummary
from tsunagu.conformance.requirements import RequirementSet
from tsunagu.core.clock import JST
from tsunagu.core.types.wareki import format_wareki

TEMPLATES = Path(__file__).resolve().parent / "templates"
MUST_COLOUR, SHOULD_COLOUR, INK = "#B03000", "#0060A0", "#1a1a1a"  # 4.5:1 or more against white
MOVED_COLOUR, LATE_COLOUR, DUE_COLOUR = "#009E73", "#D55E00", "#BBBBBB"  # Okabe–Ito, colour-blind safe


def _level(level: str, locale: str) -> str:
    """A rule's level in the reader's words (必須・推奨 in Japanese, never the MUST/SHOULD keyword)."""
    if locale == "en":
        return level
    return "必須" if level == "MUST" else "推奨"


def chart(totals: list[RuleTotal], locale: str = "ja") -> Markup:
    """Horizontal bars of findings per rule, the count written at each bar (not only its length)."""
    if not totals:
        return Markup("")
    label_w, count_w, bar_h, gap, width = 260, 80, 18, 8, 640
    height = 8 + len(totals) * (bar_h + gap)
    largest = max(t.count for t in totals)
    title = "Findings per rule" if locale == "en" else "規則ごとの指摘件数"
    description = "; ".join(f"{t.title.text(locale)}: {t.count}" for t in totals)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="findings-t findings-d" font-size="13" font-family="sans-serif" class="chart">'
        f'<title id="findings-t">{escape(title)}</title><desc id="findings-d">{escape(description)}</desc>'
    ]
    for i, total in enumerate(totals):
        y = 8 + i * (bar_h + gap)
        length = max(2.0, (width - label_w - count_w) * total.count / largest)
        colour = MUST_COLOUR if total.level == "MUST" else SHOULD_COLOUR
        label = total.title.text(locale)
        label = label if len(label) <= 18 else label[:17] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" fill="{INK}">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" fill="{colour}"/>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + 13}" fill="{INK}">'
            f"{total.count:,} ({_level(total.level, locale)})</text>"
        )
    return Markup("".join(parts) + "</svg>")  # noqa: S704 — every text part is escaped above


def migration_chart(summaries: list[AreaSummary], locale: str = "ja") -> Markup:
    """Per business area, one bar of all its municipalities: migrated, late, and not yet due."""
    label_w, bar_w, bar_h, gap, width = 170, 380, 16, 6, 640
    height = 30 + len(summaries) * (bar_h + gap)
    words = (
        {
            "title": "Migration to the standard systems",
            "moved": "migrated",
            "late": "late",
            "due": "not yet due",
        }
        if locale == "en"
        else {
            "title": "標準準拠システムへの移行状況",
            "moved": "移行済み",
            "late": "遅延",
            "due": "予定どおり未移行",
        }
    )
    description = "; ".join(
        f"{s.title.text(locale)}: {s.migrated}/{s.municipalities} {words['moved']}, {s.late} {words['late']}"
        for s in summaries
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="migration-t migration-d" font-size="12" font-family="sans-serif" class="chart">'
        f'<title id="migration-t">{escape(words["title"])}</title>'
        f'<desc id="migration-d">{escape(description)}</desc>'
    ]
    legend = ((MOVED_COLOUR, words["moved"]), (LATE_COLOUR, words["late"]), (DUE_COLOUR, words["due"]))
    for i, (colour, name) in enumerate(legend):
        parts.append(
            f'<rect x="{label_w + i * 130}" y="4" width="12" height="12" fill="{colour}"/>'
            f'<text x="{label_w + i * 130 + 16}" y="14" fill="{INK}">{escape(name)}</text>'
        )
    for i, summary in enumerate(summaries):
        y = 26 + i * (bar_h + gap)
        total = max(1, summary.municipalities)
        x = float(label_w)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end" fill="{INK}">'
            f"{escape(summary.title.text(locale))}</text>"
        )
        for count, colour in (
            (summary.migrated, MOVED_COLOUR),
            (summary.late, LATE_COLOUR),
            (summary.municipalities - summary.migrated - summary.late, DUE_COLOUR),
        ):
            length = bar_w * count / total
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{bar_h}" fill="{colour}"/>')
            x += length
        share = summary.migrated / total
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 12}" fill="{INK}">{share:.0%}</text>')
    return Markup("".join(parts) + "</svg>")  # noqa: S704 — every text part is escaped above


def to_json(report: Report) -> str:
    return json.dumps(report.as_json(), ensure_ascii=False, indent=1)


def to_junit(report: Report) -> str:
    """JUnit XML: one test case per rule; a MUST rule with findings fails, a SHOULD rule's are output."""
    totals = report.findings.sorted_totals()
    suite = ET.Element(
        "testsuite",
        name=report.requirement_set,
        tests=str(max(1, len(totals))),
        failures=str(sum(1 for t in totals if t.level == "MUST")),
        errors="0",
        time=f"{report.seconds:.3f}",
    )
    if not totals:
        ET.SubElement(
            suite,
            "testcase",
            classname=report.requirement_set,
            name="all rules",
            time=f"{report.seconds:.3f}",
        )
    for total in totals:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=report.requirement_set,
            name=f"{total.rule}: {total.title.ja} / {total.title.en}",
        )
        lines = [
            f"{f.file}:{f.row or '-'} [{f.column or '-'}] {f.message_ja} / {f.message_en}"
            + (f" ({f.value})" if f.value else "")
            for f in report.findings.kept
            if f.rule == total.rule
        ]
        if total.count > len(lines):
            lines.append(f"… {total.count - len(lines)} more")
        if total.level == "MUST":
            failure = ET.SubElement(case, "failure", message=f"{total.count} findings", type=total.rule)
            failure.text = "\n".join(lines)
        else:
            ET.SubElement(case, "system-out").text = "\n".join(lines)
    suites = ET.Element("testsuites", name="tsunagu conformance")
    suites.append(suite)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    env.globals["chart"] = chart
    return env


def to_html(
    report: Report,
    locale: str = "ja",
    *,
    checked_at: datetime | None = None,
    subject: str = "",
    found: RequirementSet | None = None,
) -> str:
    """The report a municipality's staff keep: what was checked (``subject``, the system) and when
    (in Japan time, 和暦), the verdict and totals first, then the findings by file and row, each
    column named in words (from the requirement set ``found``) before its name in the file."""
    template = _environment().get_template("conformance/report-standalone.html")
    when = ""
    if checked_at is not None:
        local = checked_at.astimezone(JST)
        when = f"{format_wareki(local.date())} {local:%H:%M}"
    findings = sorted(report.findings.kept, key=lambda f: (f.file, f.row or 0))
    return template.render(
        report=report,
        locale=locale,
        subject=subject,
        checked_at=when,
        findings=[(f, _column_label(found, f.table, f.column)) for f in findings],
        totals=report.findings.sorted_totals(),
        by_rule={t.rule: t for t in report.findings.totals.values()},
    )


def _column_label(found: RequirementSet | None, table_name: str, columns: str | None) -> str:
    """「世帯主の宛名番号・世帯番号」 for ``head_person_id,household_id`` (the file's names stay in the
    report next to it, for the vendor)."""
    table = found.table(table_name) if found is not None and columns else None
    if table is None or columns is None:
        return ""
    titles = [(c.title.ja if (c := table.column(name)) else name) for name in columns.split(",")]
    return "・".join(titles)


def write(
    report: Report,
    *,
    html: Path | None = None,
    json_path: Path | None = None,
    junit: Path | None = None,
    found: RequirementSet | None = None,
) -> None:
    for path, text in (
        (html, to_html(report, found=found) if html else ""),
        (json_path, to_json(report) if json_path else ""),
        (junit, to_junit(report) if junit else ""),
    ):
        if path is not None:
            path.write_text(text, encoding="utf-8")
