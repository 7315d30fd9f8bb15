"""docs/data-model.md, written from the models: every table, the part that owns it, its
migration branch, what a row is (the model's docstring) and its columns.

``tsunagu db data-model --write`` rewrites the file; a test fails when it is not current, so the
document cannot drift from the models.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from sqlalchemy import Column, Table
from sqlalchemy.sql.type_api import TypeEngine

from tsunagu.core.database import Base
from tsunagu.migrations import branches, owning_branch
from tsunagu.migrations.schema import metadata

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "data-model.md"

HEADER = """# Data model

<!-- Generated from the SQLAlchemy models by `tsunagu db data-model --write`; do not edit by hand.
     tests/core/test_data_model_doc.py fails when this file is not current. -->

Every table of the platform, by the package of its model. No other top-level part (`registry`,
`identity`, `mesh`, `procedures`, `notify`) imports a part's `models`: it calls the part's
`service` (import-linter contracts in `pyproject.toml`). Tables are migrated on their part's Alembic branch
(`src/tsunagu/migrations/versions/<branch>_NNNN_*.py`; `tsunagu db revision <branch> -m "…"` writes the
next one). "About" is the model's docstring: what a row is and how it lives. Columns: ★ primary
key, `null` nullable, → foreign key, `idx` indexed, `uniq` unique.
"""


def _type(type_: TypeEngine[object]) -> str:
    name = type(type_).__name__
    length = getattr(type_, "length", None)
    return f"{name}({length})" if length else name


def _column(column: Column[object]) -> str:
    marks = []
    if column.primary_key:
        marks.append("★")
    if column.nullable and not column.primary_key:
        marks.append("null")
    if column.unique:
        marks.append("uniq")
    if column.index:
        marks.append("idx")
    targets = sorted(fk.target_fullname for fk in column.foreign_keys)
    marks += [f"→ `{target}`" for target in targets]
    return f"`{column.name}` {_type(column.type)}" + (" " + " ".join(marks) if marks else "")


def _about(doc: str | None) -> str:
    first = (doc or "").strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in first.splitlines()) or "—"


def _owner(module: str) -> str:
    part = module.removeprefix("tsunagu.")
    return part.removesuffix(".models") if part.endswith(".models") else part


def render() -> str:
    """The document for the models as they are now."""
    classes = {
        mapper.local_table.name: mapper.class_
        for mapper in Base.registry.mappers
        if isinstance(mapper.local_table, Table)
    }
    labels = branches()
    by_owner: dict[str, list[str]] = defaultdict(list)
    for name in metadata.tables:
        by_owner[_owner(classes[name].__module__) if name in classes else "?"].append(name)
    lines = [HEADER]
    lines.append("| part | tables | migration branch |\n|---|---|---|")
    for owner in sorted(by_owner):
        tables = sorted(by_owner[owner])
        owned = sorted({owning_branch(t, labels) or "—" for t in tables})
        lines.append(f"| `{owner}` | {len(tables)} | {', '.join(f'`{b}`' for b in owned)} |")
    for owner in sorted(by_owner):
        lines.append(f"\n## `{owner}`\n")
        for name in sorted(by_owner[owner]):
            table = metadata.tables[name]
            model = classes.get(name)
            lines.append(f"### `{name}`\n")
            lines.append(
                f"Model `{model.__qualname__ if model else '—'}` · migration branch "
                f"`{owning_branch(name, labels) or '—'}`\n"
            )
            lines.append(_about(model.__doc__ if model else None) + "\n")
            lines.extend(f"- {_column(column)}" for column in table.columns)
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def write(path: Path = DOCUMENT) -> Path:
    path.write_text(render(), encoding="utf-8")
    return path
