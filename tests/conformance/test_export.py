"""Our own registry's export conforms to its requirement set (住民記録 1.0)."""

from __future__ import annotations

from pathlib import Path

from tsunagu.conformance import checker, requirements
from tsunagu.core.database import Database
from tsunagu.registry.residents import export

from .conftest import CHIYODA


def test_the_registry_export_passes_the_juminkiroku_requirements(
    registry: Database, juminkiroku: requirements.RequirementSet, tmp_path: Path
) -> None:
    with registry.session() as db:
        counts = export.write(db, CHIYODA, tmp_path)
    assert counts["persons"] > 50 and counts["households"] > 10 and counts["changes"] >= counts["persons"]
    report = checker.check(juminkiroku, sorted(tmp_path.glob("*.csv")))
    assert [(f.rule, f.file, f.row, f.message_en) for f in report.findings.kept] == []
    assert report.passed and report.rows == {f"{name}.csv": counts[name] for name in export.TABLES}
