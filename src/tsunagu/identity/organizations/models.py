"""Tables of organizations."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base


class Organization(Base):
    """An organization on the platform (地方公共団体, 国の機関, 事業者)."""

    __tablename__ = "identity_organizations"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), index=True)
