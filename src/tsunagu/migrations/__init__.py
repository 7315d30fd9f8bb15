"""Alembic migrations for every part's tables, run the same way on SQLite and PostgreSQL.

Each part keeps its own branch of migrations (``branch_labels`` = the part's name), so that
parts evolve their tables independently; ``upgrade`` moves every branch to its head.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from tsunagu.migrations.schema import metadata

HERE = Path(__file__).resolve().parent


def config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("version_locations", str(HERE / "versions"))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    command.upgrade(config(engine), "heads")


def heads(engine: Engine) -> set[str]:
    return set(ScriptDirectory.from_config(config(engine)).get_heads())


def current(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


@dataclass(frozen=True)
class SchemaStatus:
    current: set[str]
    heads: set[str]
    differences: list[str]

    @property
    def at_head(self) -> bool:
        return self.current == self.heads

    @property
    def ok(self) -> bool:
        return self.at_head and not self.differences


def status(engine: Engine) -> SchemaStatus:
    """Where the database stands, and any difference between the models and the migrations."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        at = set(context.get_current_heads())
        diffs = [str(diff) for diff in compare_metadata(context, metadata)] if at == heads(engine) else []
    return SchemaStatus(current=at, heads=heads(engine), differences=diffs)


def branches() -> set[str]:
    """Every part's migration branch (its ``branch_labels``)."""
    script = ScriptDirectory(str(HERE), version_locations=[str(HERE / "versions")])
    return {label for rev in script.walk_revisions() for label in (rev.branch_labels or ())}


def owning_branch(table_name: str, labels: set[str]) -> str | None:
    """The branch a table's migrations live in: the longest branch label that prefixes its
    name (``identity_oidc_codes`` is ``identity_oidc``'s, not ``identity``'s)."""
    owners = [label for label in labels if table_name.startswith(f"{label}_")]
    return max(owners, key=len, default=None)


def revision(engine: Engine, part: str, message: str) -> str:
    """Autogenerate the next migration of ``part`` from its models (tables named ``part_*`` that
    no longer branch label claims, e.g. ``identity`` leaves ``identity_oidc_*`` alone).

    The database must be at head first, so that only this part's new changes are written.
    """
    cfg = config(engine)
    script = ScriptDirectory.from_config(cfg)
    labels = {label for rev in script.walk_revisions() for label in (rev.branch_labels or ())}
    has_branch = part in labels
    claimed = labels | {part}

    def only_this_part(
        obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
    ) -> bool:
        table = getattr(obj, "table", obj) if type_ != "table" else obj
        table_name = getattr(table, "name", name) or ""
        return owning_branch(table_name, claimed) == part

    cfg.attributes["include_object"] = only_this_part
    _format_after_writing(cfg)
    result = command.revision(
        cfg,
        message=message,
        autogenerate=True,
        head=f"{part}@head" if has_branch else "base",
        branch_label=None if has_branch else part,
        rev_id=f"{part}_{_next_number(script, part):04d}",
    )
    scripts = result if isinstance(result, list) else [result]
    return ", ".join(str(s.path) for s in scripts if s is not None)


def _format_after_writing(cfg: Config) -> None:
    """Run ruff over a new migration (Alembic's post-write hooks: unused imports, then the
    format), so that a generated file passes ``make test``'s lint as written; skipped where ruff
    is not installed (a production image carries no development tools)."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        return
    hooks = {
        # the template imports tsunagu.core.database for its column types; unused when none is new
        "ruff_unused": "check --fix --quiet --select F401,I001 REVISION_SCRIPT_FILENAME",
        "ruff_format": "format --quiet REVISION_SCRIPT_FILENAME",
    }
    cfg.set_section_option("post_write_hooks", "hooks", ", ".join(hooks))
    for name, options in hooks.items():
        cfg.set_section_option("post_write_hooks", f"{name}.type", "exec")
        cfg.set_section_option("post_write_hooks", f"{name}.executable", ruff)
        cfg.set_section_option("post_write_hooks", f"{name}.options", options)


def _next_number(script: ScriptDirectory, part: str) -> int:
    """One more than the part's last ``<part>_NNNN`` (``identity_oidc_0002`` is not identity's)."""
    prefix = f"{part}_"
    numbers = [
        int(rev.revision[len(prefix) :])
        for rev in script.walk_revisions()
        if rev.revision.startswith(prefix) and rev.revision[len(prefix) :].isdigit()
    ]
    return max(numbers, default=0) + 1
