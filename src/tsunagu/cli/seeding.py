"""``tsunagu seed``: reference data and deterministic synthetic data, part by part.

Each step is a service function of a part; steps are idempotent when ``only_if_empty`` is set
(``tsunagu demo`` loads the demo data once) and report progress on Rich progress bars.
"""

from __future__ import annotations

from tsunagu.cli import business, catalog, conformance, corpinfo, identity, mesh, oidc, oversight, registry
from tsunagu.cli.console import RichProgress, out
from tsunagu.cli.seed_options import SeedOptions, SeedStep
from tsunagu.core.database import Database
from tsunagu.core.progress import ProgressReporter
from tsunagu.core.settings import get_settings
from tsunagu.mesh.demo import MUNICIPALITIES
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.appointments import service as appointments
from tsunagu.procedures.onestop import service as onestop
from tsunagu.registry.residents.synthetic import service as synthetic_residents

__all__ = [
    "SeedOptions",
    "SeedStep",
    "run_seed",
    "seed_appointments",
    "seed_procedures",
    "seed_residents",
    "steps",
]


def seed_residents(
    database: Database, options: SeedOptions, only_if_empty: bool, progress: ProgressReporter
) -> None:
    """住民: ``options.residents`` synthetic people of the demo municipalities."""
    with database.session() as db:
        synthetic_residents.seed(db, options.residents, options.seed, progress, only_if_empty=only_if_empty)


def seed_procedures(
    database: Database, _options: SeedOptions, _only_if_empty: bool, progress: ProgressReporter
) -> None:
    """手続: the 事務 and moving-notice subscriptions procedures add to the mesh directory."""
    progress.start("procedures: 事務 and subscriptions in the mesh directory", None)
    with database.session() as db:
        progress.advance(onestop.prepare_directory(db, MUNICIPALITIES, "seed"))


def seed_appointments(
    database: Database, _options: SeedOptions, _only_if_empty: bool, progress: ProgressReporter
) -> None:
    """来庁予約: slots for 転入予約 at the demo municipalities for the next 14 days."""
    progress.start("appointments: slots of the next 14 days", None)
    registry = catalogue.registry_for(get_settings().procedures_dir)
    procedure = catalogue.get_procedure(registry, "tennyu-yoyaku")
    with database.session() as db:
        progress.advance(appointments.seed_demo(db, procedure, MUNICIPALITIES))


def steps() -> list[tuple[str, SeedStep]]:
    """The seed steps in dependency order (addresses before the residents who live there)."""
    return [
        ("addresses", registry.seed_addresses),
        ("residents", seed_residents),
        ("corporations", registry.seed_corporations),
        ("organizations", identity.seed_organizations),
        ("identity-ca", identity.seed_ca),
        ("staff", identity.seed_staff),
        ("mesh", mesh.seed_mesh),
        ("procedures", seed_procedures),
        ("appointments", seed_appointments),
        ("oidc", oidc.seed_demo_client),
        ("business", business.seed_representatives),
        ("corpinfo", corpinfo.seed_awards),
        ("oversight", oversight.seed_oversight),
        ("conformance", conformance.seed_migration),
        ("catalog", catalog.seed_catalog),
    ]


def run_seed(database: Database, options: SeedOptions, *, only_if_empty: bool = False) -> None:
    with RichProgress() as reporter:
        for name, step in steps():
            reporter.bar.console.print(f"seeding {name}")
            step(database, options, only_if_empty, reporter)
    out.print("seed complete")
