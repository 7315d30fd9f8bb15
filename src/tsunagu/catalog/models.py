"""Tables of the catalog: the datasets (データセット) and the code lists staff publish, with the
search index the public search reads (facet terms and two-character grams), the audit trail
of every change (変更履歴) and the results of the periodic checks that distribution URLs answer.

A dataset row keeps its whole description as JSON (``document``: the ``definitions.Dataset``
shape) so that a page of results is one query; the columns beside it are what the search
filters and sorts by."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class CatalogDataset(Base):
    """One dataset of the catalog, registered by a registry at seed time (``origin`` registry)
    or written by publisher staff in the console (``origin`` console)."""

    __tablename__ = "catalog_datasets"
    __table_args__ = (
        Index("ix_catalog_datasets_listing", "status", "access", "title_ja"),
        Index("ix_catalog_datasets_publisher", "publisher", "status"),
    )

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    publisher: Mapped[str] = mapped_column(String(63))
    status: Mapped[str] = mapped_column(String(16))  # draft | published | withdrawn
    origin: Mapped[str] = mapped_column(String(16))  # registry | console
    access: Mapped[str] = mapped_column(String(16))  # open | restricted (sorts open data first)
    title_ja: Mapped[str] = mapped_column(String(500))
    modified: Mapped[date] = mapped_column(Date)  # dct:modified
    document: Mapped[str] = mapped_column(Text)  # the Dataset as JSON (what the public sees)
    draft_document: Mapped[str | None] = mapped_column(Text, nullable=True)  # an edit not yet published
    search_text: Mapped[str] = mapped_column(Text)  # folded (NFKC, hiragana, lower case)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CatalogDatasetTerm(Base):
    """A facet value of a published dataset: its publisher, each theme, format and licence, and
    each keyword (CKAN's ``tags``). Facet counts are one GROUP BY over these rows."""

    __tablename__ = "catalog_dataset_terms"
    __table_args__ = (Index("ix_catalog_dataset_terms_value", "kind", "value", "dataset_id"),)

    dataset_id: Mapped[str] = mapped_column(
        String(63), ForeignKey("catalog_datasets.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)


class CatalogSearchGram(Base):
    """The bigram index: one row per (two-character gram of the folded text, dataset)."""

    __tablename__ = "catalog_search_grams"

    gram: Mapped[str] = mapped_column(String(2), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(
        String(63), ForeignKey("catalog_datasets.id", ondelete="CASCADE"), primary_key=True
    )


class CatalogCodeList(Base):
    """A code list written by publisher staff (the platform's own lists stay in the code)."""

    __tablename__ = "catalog_code_lists"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    publisher: Mapped[str] = mapped_column(String(63), index=True)
    status: Mapped[str] = mapped_column(String(16))  # draft | published | withdrawn
    document: Mapped[str] = mapped_column(Text)  # the CodeList as JSON (what the public sees)
    draft_document: Mapped[str | None] = mapped_column(Text, nullable=True)  # an edit not yet published
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CatalogEvent(Base):
    """The audit trail (変更履歴): who changed which dataset or code list, how, and to what."""

    __tablename__ = "catalog_events"
    __table_args__ = (Index("ix_catalog_events_subject", "subject_kind", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    subject_kind: Mapped[str] = mapped_column(String(16))  # dataset | code-list
    subject_id: Mapped[str] = mapped_column(String(63))
    action: Mapped[str] = mapped_column(String(16))  # registered | created | updated | published | withdrawn
    version: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(128))  # staff login id, or "seed"
    organization: Mapped[str] = mapped_column(String(63))
    document: Mapped[str] = mapped_column(Text)  # the description after the change


class CatalogLinkCheck(Base):
    """The last check that a distribution's URL answers (the MQA's accessibility)."""

    __tablename__ = "catalog_link_checks"

    dataset_id: Mapped[str] = mapped_column(
        String(63), ForeignKey("catalog_datasets.id", ondelete="CASCADE"), primary_key=True
    )
    distribution_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ok: Mapped[bool] = mapped_column(Boolean)
    problem: Mapped[str] = mapped_column(String(500), default="")
