"""API shapes of organizations."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class OrganizationOut(BaseModel):
    code: str
    name_ja: str
    name_en: str
    kind: Literal["national", "municipal", "agency", "private"]
