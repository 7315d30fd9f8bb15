"""番地・号 and building: what follows the 町字 in a written address."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tsunagu.registry.addresses.normalizer.text import block_numbers_to_arabic

# 12番地3号, 12番3号, 12-3, 12の3 (ノ, 之), 12番地の3, 12-3-405 (the third number is usually a room)
_BLOCK = re.compile(
    r"^(?:第)?(?P<banchi>[0-9]+)(?:番地[の之ノ]|番地|番[の之ノ]|番|-|[の之ノ])?"
    r"(?:(?P<go>[0-9]+)(?:号)?)?(?:-(?P<extra>[0-9]+))?"
)
_SEPARATOR = re.compile(r"^[\s,、，]+")


@dataclass(frozen=True)
class Block:
    banchi: str = ""
    go: str = ""
    building: str = ""


def split_block(rest: str) -> Block:
    """Split the text after the 町字 into 番地, 号 and the building (name, floor, room)."""
    text = block_numbers_to_arabic(rest.strip()).lstrip("-")  # 南1西5-3: the hyphen after the town
    found = _BLOCK.match(text)
    if not found:
        return Block(building=_SEPARATOR.sub("", text))
    go = found.group("go") or ""
    extra = found.group("extra")
    building = _SEPARATOR.sub("", text[found.end() :])
    if extra:  # 1-2-305: the third number is the room, kept with the building
        building = f"{extra} {building}".strip() if building else extra
    return Block(banchi=found.group("banchi"), go=go, building=building)
