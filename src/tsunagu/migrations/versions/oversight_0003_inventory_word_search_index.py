"""inventory word search index

Revision ID: oversight_0003
Revises: oversight_0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tsunagu.oversight import search_index

revision: str = "oversight_0003"
down_revision: str | Sequence[str] | None = "oversight_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oversight_inventory_tokens",
        sa.Column("survey_year", sa.Integer(), nullable=False),
        sa.Column("gram", sa.String(length=2), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_year"],
            ["oversight_inventory_surveys.survey_year"],
            name=op.f("fk_oversight_inventory_tokens_survey_year_oversight_inventory_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_year", "gram", "ordinal", name=op.f("pk_oversight_inventory_tokens")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("oversight_inventory_procedures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ordinal", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    _index_stored_years()
    with op.batch_alter_table("oversight_inventory_procedures", schema=None) as batch_op:
        batch_op.create_index("ix_oversight_inventory_ordinal", ["survey_year", "ordinal"], unique=True)


def _index_stored_years() -> None:
    """Years imported before the index: number their rows and cut their grams, as an import does."""
    bind = op.get_bind()
    procedures = sa.table(
        "oversight_inventory_procedures",
        sa.column("survey_year", sa.Integer),
        sa.column("procedure_id", sa.String),
        sa.column("name", sa.Text),
        sa.column("law_name", sa.String),
        sa.column("ordinal", sa.Integer),
        sa.column("search_text", sa.Text),
    )
    stored = bind.execute(
        sa.select(
            procedures.c.survey_year, procedures.c.procedure_id, procedures.c.name, procedures.c.law_name
        ).order_by(procedures.c.survey_year, procedures.c.procedure_id)
    ).all()
    counters: dict[int, int] = {}
    updates = []
    for year, procedure_id, name, law_name in stored:
        ordinal = counters.get(year, 0)
        counters[year] = ordinal + 1
        text = search_index.search_text(name, law_name or "")
        updates.append({"y": year, "p": procedure_id, "o": ordinal, "t": text})
    if not updates:
        return
    bind.execute(
        procedures.update()
        .where(procedures.c.survey_year == sa.bindparam("y"), procedures.c.procedure_id == sa.bindparam("p"))
        .values(ordinal=sa.bindparam("o"), search_text=sa.bindparam("t")),
        updates,
    )
    tokens = sa.table(
        "oversight_inventory_tokens",
        sa.column("survey_year", sa.Integer),
        sa.column("gram", sa.String),
        sa.column("ordinal", sa.Integer),
    )
    rows = [{"survey_year": u["y"], "ordinal": u["o"], "search_text": u["t"]} for u in updates]
    for year in counters:
        index_rows = list(search_index.token_rows(year, (r for r in rows if r["survey_year"] == year)))
        bind.execute(tokens.insert(), index_rows)


def downgrade() -> None:
    with op.batch_alter_table("oversight_inventory_procedures", schema=None) as batch_op:
        batch_op.drop_index("ix_oversight_inventory_ordinal")
        batch_op.drop_column("search_text")
        batch_op.drop_column("ordinal")
    op.drop_table("oversight_inventory_tokens")
