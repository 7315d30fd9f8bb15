"""``tsunagu db revision <part>`` writes only that part's tables into that part's branch."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from tsunagu import migrations
from tsunagu.migrations.schema import metadata


def test_every_table_has_one_owning_branch() -> None:
    labels = migrations.branches()
    assert {"identity", "identity_business", "identity_oidc", "residents"} <= labels
    for table in metadata.tables:
        assert migrations.owning_branch(table, labels) is not None, table


def test_a_part_does_not_claim_the_tables_of_a_longer_part() -> None:
    labels = migrations.branches()
    assert migrations.owning_branch("identity_business_accounts", labels) == "identity_business"
    assert migrations.owning_branch("identity_oidc_codes", labels) == "identity_oidc"
    assert migrations.owning_branch("identity_cards", labels) == "identity"
    identity = {t for t in metadata.tables if migrations.owning_branch(t, labels) == "identity"}
    assert identity and not any(t.startswith(("identity_business_", "identity_oidc_")) for t in identity)


def test_the_next_number_counts_only_the_part_s_own_revisions() -> None:
    versions = migrations.HERE / "versions"
    script = ScriptDirectory(str(migrations.HERE), version_locations=[str(versions)])
    own = [int(path.name[len("identity_") :][:4]) for path in versions.glob("identity_[0-9]*.py")]
    assert migrations._next_number(script, "identity") == max(own) + 1  # not after identity_oidc_0002
