"""Where the platform's service KPIs are narrowed to: a prefecture and one of its local
governments, by the organization an application went to (its 全国地方公共団体コード: the first two
digits are the prefecture). A national office or agency has no prefecture here, so the KPIs of a
place are those of its local governments only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tsunagu.identity.organizations.service import is_local_government_code


@dataclass(frozen=True)
class Place:
    prefecture_code: str = ""  # JIS X 0401, two digits
    organization: str = ""  # a 6-digit local government code of that prefecture

    def __bool__(self) -> bool:
        return bool(self.prefecture_code)


EVERYWHERE = Place()


def prefecture_of(organization: str) -> str:
    """The prefecture code of a local government (東京都千代田区 131016 → 13, 東京都 130001 → 13);
    "" for a national office or agency."""
    return organization[:2] if is_local_government_code(organization) else ""


def conditions(table: Any, place: Place) -> list[Any]:
    """The WHERE clauses of a place on a table with prefecture_code and organization columns."""
    if not place:
        return []
    found = [table.prefecture_code == place.prefecture_code]
    if place.organization:
        found.append(table.organization == place.organization)
    return found
