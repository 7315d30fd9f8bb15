"""The data dictionary (データ・ディクショナリ): one entry per data item the platform uses, with its
names, definition, type and format, code list, the term of the 共通語彙基盤 (IMI コア語彙) or the
行政基本情報データ連携モデル it maps to, and where it is used (lineage).

The entries' words live in ``definitions/dictionary.yaml``; where each item is used is not
written there but read from the code and the definitions every time: the standard types of
``core.types``, the columns of the registries' tables, and — handed in by the web layer, since
mesh and procedures are not below the catalog — the mesh services' items and the procedures'
fields. A use that names no entry is listed in :attr:`Dictionary.unmapped`, never dropped; the
tests require that list to be empty. Nothing here reads loaded data (ckan/ckan#9001)."""

from __future__ import annotations

import csv
import importlib
import inspect
import io
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError

from tsunagu.catalog.definitions import DEFINITIONS_DIR, CatalogDefinitionInvalid, Frozen, Text
from tsunagu.core import types as core_types
from tsunagu.core.errors import NotFound

UsageKind = Literal["type", "column", "mesh", "procedure", "requirement"]
KINDS: tuple[UsageKind, ...] = ("type", "column", "mesh", "procedure", "requirement")
Scheme = Literal["imi-core", "gov-data-model", "jis", "nta", "none"]


class ItemNotFound(NotFound):
    code = "catalog-item-not-found"
    title = "Data item not found"


@dataclass(frozen=True, order=True)
class Usage:
    """One place a data item is used: a standard type, a registry column (``table``), a mesh
    service's item (``provider:service``), a procedure's field (``procedure id``) or a column a
    conformance requirement set demands (``table`` of the set)."""

    kind: UsageKind
    where: str
    name: str
    title: str = ""  # how that place names it (a column's table, a field's label)

    @property
    def key(self) -> str:
        return f"{self.where}.{self.name}"


UsageSource = Callable[[], Iterable[Usage]]


class Term(Frozen):
    scheme: Scheme
    term: str = Field(min_length=1)


class Item(Frozen):
    name: Text
    definition: Text
    type: str = Field(min_length=1)
    format: str = ""
    code_list: str | None = None
    terms: tuple[Term, ...] = ()
    personal: bool = False  # personal information: used under the law only, never published
    aliases: tuple[str, ...] = ()  # other names it is used under: ``name`` or ``where.name``


class _File(Frozen):
    items: dict[str, Item]


@dataclass(frozen=True)
class Entry:
    id: str
    item: Item
    uses: tuple[Usage, ...]

    def uses_of(self, kind: UsageKind) -> tuple[Usage, ...]:
        return tuple(u for u in self.uses if u.kind == kind)


@dataclass(frozen=True)
class Dictionary:
    entries: tuple[Entry, ...]
    unmapped: tuple[Usage, ...]  # uses that name no entry (the tests require none)

    def get(self, item_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == item_id), None)

    def require(self, item_id: str) -> Entry:
        found = self.get(item_id)
        if found is None:
            raise ItemNotFound(f"no data item {item_id!r} in the data dictionary", item=item_id)
        return found


def load_items(path: Path = DEFINITIONS_DIR / "dictionary.yaml") -> dict[str, Item]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = _File.model_validate(raw).items
    except (OSError, yaml.YAMLError) as error:
        raise CatalogDefinitionInvalid(f"{path.name}: cannot be read as YAML: {error}") from error
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise CatalogDefinitionInvalid(f"{path.name}: {problems}") from error
    owners: dict[str, str] = {}
    for item_id, item in items.items():
        for alias in (item_id, *item.aliases):
            if alias in owners and owners[alias] != item_id:
                raise CatalogDefinitionInvalid(
                    f"{path.name}: {alias!r} names both {owners[alias]!r} and {item_id!r}"
                )
            owners[alias] = item_id
    return items


@lru_cache(maxsize=1)
def shipped_items() -> dict[str, Item]:
    return load_items()


# ---------------------------------------------------------------- where items are used


def standard_type_usages() -> Iterator[Usage]:
    """The value types of ``core.types`` (one public class per module, errors and mixins aside)."""
    for module_info in pkgutil.iter_modules(core_types.__path__):
        module = importlib.import_module(f"{core_types.__name__}.{module_info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                cls.__module__ == module.__name__
                and not name.startswith("_")
                and not issubclass(cls, BaseException)
                and module_info.name != "base"
            ):
                yield Usage("type", module_info.name, name, (module.__doc__ or "").split(":")[0])


def build(items: dict[str, Item], usages: Iterable[Usage]) -> Dictionary:
    """Each use goes to the item that names it as ``where.name`` (a qualified alias: the same
    word means different things in different tables), else to the item named ``name``."""
    owners = {alias: item_id for item_id, item in items.items() for alias in (item_id, *item.aliases)}
    uses: dict[str, list[Usage]] = {item_id: [] for item_id in items}
    unmapped: list[Usage] = []
    for usage in sorted(set(usages)):
        found = owners.get(usage.key) or owners.get(usage.name)
        if found is None:
            unmapped.append(usage)
        else:
            uses[found].append(usage)
    entries = tuple(Entry(item_id, item, tuple(uses[item_id])) for item_id, item in items.items())
    return Dictionary(entries, tuple(unmapped))


def dictionary(sources: Iterable[UsageSource] = ()) -> Dictionary:
    """The dictionary with its lineage: the standard types, plus the registry columns, mesh items
    and procedure fields the web layer hands in (``web/catalog_sources.py``)."""
    usages: list[Usage] = list(standard_type_usages())
    for source in sources:
        usages += source()
    return build(shipped_items(), usages)


KIND_TITLES: dict[UsageKind, Text] = {
    "type": Text(ja="標準データ型", en="Standard type"),
    "column": Text(ja="レジストリの項目", en="Registry column"),
    "mesh": Text(ja="メッシュのサービス", en="Mesh service"),
    "procedure": Text(ja="手続の入力項目", en="Procedure field"),
    "requirement": Text(ja="標準準拠の要件の項目", en="Conformance requirement column"),
}


def search(found: Dictionary, q: str, kind: UsageKind | None, fold: Callable[[str], str]) -> list[Entry]:
    """Entries whose words (names, definition, format, terms, where used) hold every word of
    ``q`` (kana/width folded), used in ``kind`` when given."""
    words = fold(q).split()

    def text(entry: Entry) -> str:
        item = entry.item
        parts = [
            entry.id,
            item.name.ja,
            item.name.en,
            item.definition.ja,
            item.definition.en,
            item.format,
            item.type,
            *(t.term for t in item.terms),
            *(u.key for u in entry.uses),
        ]
        return fold("\n".join(parts))

    return [
        e for e in found.entries if (kind is None or e.uses_of(kind)) and all(w in text(e) for w in words)
    ]


CSV_HEADER = (
    "項目ID",
    "項目名",
    "項目名（英語）",
    "定義",
    "定義（英語）",
    "データ型",
    "書式",
    "コード一覧",
    "共通語彙基盤",
    "行政基本情報データ連携モデル",
    "準拠する規格・様式",
    "個人情報",
    "使われている所",
)


def csv_text(found: Dictionary) -> str:
    """The dictionary as one UTF-8 CSV table (header row; lists inside a cell separated by 「；」)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for e in found.entries:
        item = e.item

        def terms(scheme: str, item: Item = item) -> str:
            return "；".join(t.term for t in item.terms if t.scheme == scheme)

        writer.writerow(
            (
                e.id,
                item.name.ja,
                item.name.en,
                item.definition.ja,
                item.definition.en,
                item.type,
                item.format,
                item.code_list or "",
                terms("imi-core"),
                terms("gov-data-model"),
                "；".join(t.term for t in item.terms if t.scheme in ("jis", "nta")),
                "はい" if item.personal else "いいえ",
                "；".join(f"{KIND_TITLES[u.kind].ja}:{u.key}" for u in e.uses),
            )
        )
    return buffer.getvalue()
