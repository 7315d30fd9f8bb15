"""``tsunagu catalog check FILE`` (機械可読性チェック) and ``tsunagu catalog validate-dcat``: checks a
publisher runs before publishing, each ending non-zero when the file or the catalog breaks a rule."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from tsunagu.catalog.readability import checker, reading
from tsunagu.cli.console import err, errors_as_messages, out

LEVEL_NAMES = {1: "レベル1", 2: "レベル2", 3: "レベル3"}


def check(
    file: Path = typer.Argument(..., help="The CSV or Excel (.xlsx) file to check", exists=False),
    listed: int = typer.Option(50, "--show", min=0, help="How many violations to list (all are counted)"),
) -> None:
    """Check a CSV or .xlsx file against the Digital Agency's machine-readability rules
    (行政データにおける機械可読性に関するルール): violations with sheet, cell, rule and fix, and
    the score per level. Exit code 1 when any rule is broken or the file cannot be read."""
    with errors_as_messages():
        if not file.is_file():
            raise reading.UnreadableFile(f"「{file}」というファイルはありません。")
        size = file.stat().st_size
        if size > reading.MAX_BYTES:  # refused before it is read into memory
            raise reading.FileTooLarge(
                f"「{file.name}」は {size / 1048576:.0f} MB あり、"
                f"上限の {reading.MAX_BYTES // 1048576} MB を超えています。",
                limit=reading.MAX_BYTES,
            )
        report = checker.check_file(file.name, file.read_bytes())
    _print(report, listed)
    if not report.conforms:
        raise typer.Exit(1)


def _print(report: checker.Report, listed: int) -> None:
    encoding = f"、{report.encoding}" if report.encoding else ""
    out.print(Text(f"{report.file}（{report.kind}{encoding}、{report.rows} 行）"))
    scores = Table(title="レベル別スコア（100点満点）", show_lines=False)
    for level in (1, 2, 3):
        scores.add_column(LEVEL_NAMES[level], justify="right")
    scores.add_row(
        *("判定なし" if s is None else str(s) for s in (report.scores[level] for level in (1, 2, 3)))
    )
    out.print(scores)
    if report.violations:
        table = Table(title="違反", show_lines=False)
        for name in ("ルール", "シート", "セル", "内容", "直し方"):
            table.add_column(name, overflow="fold")
        for violation in report.violations[:listed]:
            table.add_row(
                violation.rule.id, violation.sheet, violation.cell, violation.found, violation.rule.fix.ja
            )
        out.print(table)
        total = sum(report.count(rule_id) for rule_id in report.outcomes)
        if total > min(listed, len(report.violations)):
            out.print(f"ほか {total - min(listed, len(report.violations))} 件（--show で件数を増やせます）")
    broken = [rule_id for rule_id, passed in report.outcomes.items() if passed is False]
    skipped = [rule_id for rule_id, passed in report.outcomes.items() if passed is None]
    if broken:
        err.print(f"[bold red]{len(broken)} 件のルールに違反しています:[/] " + ", ".join(broken))
    else:
        out.print("[bold green]判定したルールにすべて適合しています。[/]")
    if skipped:
        out.print("判定しなかったルール: " + ", ".join(skipped))


RDF_FORMATS = {".jsonld": "json-ld", ".json": "json-ld", ".ttl": "turtle", ".rdf": "xml", ".xml": "xml"}


def validate_dcat(
    source: str = typer.Argument(
        "http://127.0.0.1:8000/api/v1/catalog/dcat.jsonld",
        help="A DCAT document: a file (.jsonld, .ttl, .rdf) or an http(s) URL answering JSON-LD",
    ),
) -> None:
    """Validate DCAT against the DCAT-AP 3.0.0 SHACL shapes (SEMIC) with pySHACL: every SHACL
    result with its node, property and message. Exit code 1 on any violation."""
    import httpx
    import rdflib

    from tsunagu.catalog import shacl

    with errors_as_messages():
        graph = rdflib.Graph()
        try:
            if source.startswith(("http://", "https://")):
                answer = httpx.get(source, headers={"accept": "application/ld+json"}, timeout=60)
                answer.raise_for_status()
                graph.parse(data=answer.text, format="json-ld")
            else:
                path = Path(source)
                graph.parse(path, format=RDF_FORMATS.get(path.suffix.lower(), "json-ld"))
        except (httpx.HTTPError, OSError, ValueError, SyntaxError) as exc:
            raise reading.UnreadableFile(f"「{source}」を DCAT として読めませんでした（{exc}）。") from None
        problems = shacl.validate_graph(graph)
    out.print(Text(f"{source}: {len(graph):,} トリプル、DCAT-AP 3.0.0 SHACL で検証しました。"))
    if not problems:
        out.print("[bold green]適合しています（違反 0 件）。[/]")
        return
    table = Table(title="SHACL の結果")
    for name in ("重大度", "ノード", "プロパティ", "内容"):
        table.add_column(name, overflow="fold")
    for problem in problems:
        table.add_row(problem.severity, problem.focus, problem.path, problem.message)
    out.print(table)
    violations = sum(1 for p in problems if p.severity == "Violation")
    err.print(f"[bold red]{violations} 件の違反があります。[/]")
    if violations:
        raise typer.Exit(1)
