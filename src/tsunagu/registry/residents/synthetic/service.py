"""Seeding synthetic residents into the registry (``tsunagu seed --residents N --seed S``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tsunagu.core.errors import Conflict
from tsunagu.core.progress import ProgressReporter
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.residents import service as residents
from tsunagu.registry.residents.synthetic.generator import ResidentGenerator

DEMO_MUNICIPALITIES = ("131016", "142018")  # 東京都千代田区, 神奈川県横須賀市


class AddressesMissing(Conflict):
    code = "addresses-not-loaded"
    title = "Address registry not loaded"


def seed(
    db: Session,
    count: int,
    random_seed: int,
    progress: ProgressReporter,
    *,
    municipalities: tuple[str, ...] = DEMO_MUNICIPALITIES,
    only_if_empty: bool = False,
) -> int:
    """Add ``count`` synthetic residents living at real towns of ``municipalities``; returns how many."""
    if count == 0 or (only_if_empty and residents.has_residents(db)):
        return 0
    towns = [town for code in municipalities for town in addresses.towns_in(db, code)]
    if not towns:
        raise AddressesMissing(
            "no towns of " + ", ".join(municipalities) + " in the address registry; seed the addresses first"
        )
    rows = ResidentGenerator(towns, random_seed).rows(count)
    return residents.import_residents(db, rows, progress, total=count, actor="seed")
