"""The full schema: importing every part's models registers their tables on one metadata."""

from tsunagu.core import sessions
from tsunagu.core.database import Base

metadata = Base.metadata

__all__ = ["metadata", "sessions"]
