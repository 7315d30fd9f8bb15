"""A procedure's entry in the national inventory of administrative procedures (棚卸データ), as the
web layer hands it in from the oversight part (``app.state.procedure_inventory``; procedures and
oversight do not import each other). The oversight part makes the link, from the definition's
``inventory_id`` or the articles of its legal basis, and says how."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request


@dataclass(frozen=True)
class InventoryEntry:
    procedure_id: str  # 手続ID of the survey
    name: str
    ministry: str
    cited: str  # the definition's article it rests on ("" when linked by inventory_id)


@dataclass(frozen=True)
class InventoryLink:
    method: str  # explicit (inventory_id) | legal_basis | ambiguous (several candidates) | none
    entries: tuple[InventoryEntry, ...]  # the linked entry, or every candidate when ambiguous


#: procedure id → its link (None when no survey is imported)
InventoryLinkSource = Callable[[str], InventoryLink | None]


def of(request: Request, procedure_id: str) -> InventoryLink | None:
    source: InventoryLinkSource | None = getattr(request.app.state, "procedure_inventory", None)
    return source(procedure_id) if source is not None else None
