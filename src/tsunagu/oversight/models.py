"""Tables of the oversight part: the procedure inventory by survey year (棚卸データベース) with its
per-ministry summary, and the information systems with their yearly costs (統括・監理)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class OversightInventorySurvey(Base):
    """One imported survey year: which layout, from which file, what the import normalized."""

    __tablename__ = "oversight_inventory_surveys"

    survey_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    layout: Mapped[str] = mapped_column(String(8))
    source_name: Mapped[str] = mapped_column(String(255))
    source_sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    normalized: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    imported_by: Mapped[str] = mapped_column(String(128))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OversightInventoryProcedure(Base):
    """One procedure of one survey year (手続ID × 調査年度), its key columns typed for search and
    the KPIs, every other non-empty column of the file kept in ``details``."""

    __tablename__ = "oversight_inventory_procedures"
    __table_args__ = (
        Index("ix_oversight_inventory_ministry", "survey_year", "ministry"),
        Index("ix_oversight_inventory_volume", "survey_year", "total_count"),
        Index("ix_oversight_inventory_id", "procedure_id"),
        Index("ix_oversight_inventory_ordinal", "survey_year", "ordinal", unique=True),
    )

    survey_year: Mapped[int] = mapped_column(
        ForeignKey("oversight_inventory_surveys.survey_year", ondelete="CASCADE"), primary_key=True
    )
    procedure_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ministry: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    law_name: Mapped[str] = mapped_column(String(500), default="")
    type_code: Mapped[str] = mapped_column(String(8))
    subject_code: Mapped[str] = mapped_column(String(8), default="")
    recipient_code: Mapped[str] = mapped_column(String(8), default="")
    online_status: Mapped[str] = mapped_column(String(4), default="")
    common: Mapped[str] = mapped_column(String(4), default="")
    total_count: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    online_count: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    offline_count: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    attachments: Mapped[str] = mapped_column(Text, default="")  # ";a;b;" for LIKE '%;a;%'
    life_events: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    ordinal: Mapped[int] = mapped_column(Integer, default=0)  # row number in its year, for the index
    search_text: Mapped[str] = mapped_column(Text, default="")  # name and law folded (search_index.fold)


class OversightInventoryToken(Base):
    """The word-search index: a two-character gram of a procedure's folded name or law
    (search_index). Rebuilt with its survey year on import."""

    __tablename__ = "oversight_inventory_tokens"
    __table_args__ = ({"sqlite_with_rowid": False},)

    survey_year: Mapped[int] = mapped_column(
        ForeignKey("oversight_inventory_surveys.survey_year", ondelete="CASCADE"), primary_key=True
    )
    gram: Mapped[str] = mapped_column(String(2), primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True)


class OversightInventorySummary(Base):
    """Per survey year and ministry, the sums the KPIs divide (made once per import)."""

    __tablename__ = "oversight_inventory_summary"

    survey_year: Mapped[int] = mapped_column(
        ForeignKey("oversight_inventory_surveys.survey_year", ondelete="CASCADE"), primary_key=True
    )
    ministry: Mapped[str] = mapped_column(String(32), primary_key=True)
    procedures: Mapped[int] = mapped_column(Integer)
    online_available: Mapped[int] = mapped_column(Integer)  # 1 実施済
    partly_online: Mapped[int] = mapped_column(Integer)  # 5 一部実施済 (R6 only)
    total_volume: Mapped[int] = mapped_column(BigInteger)  # procedures with a known 総手続件数
    available_volume: Mapped[int] = mapped_column(BigInteger)  # 総手続件数 of the 実施済 ones
    available_online_volume: Mapped[int] = mapped_column(BigInteger)  # オンライン手続件数 of those
    available_measured_volume: Mapped[int] = mapped_column(BigInteger)  # 総手続件数 where both known
    with_attachments: Mapped[int] = mapped_column(Integer)
    replaceable: Mapped[int] = mapped_column(Integer)  # some attachment a registry look-up replaces
    by_type: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    by_attachment: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)


class OversightSystem(Base):
    """An information system or project of one organization (統括・監理の対象)."""

    __tablename__ = "oversight_systems"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # national | local
    name: Mapped[str] = mapped_column(String(255))
    purpose: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(128), default="")
    government_cloud: Mapped[bool] = mapped_column(default=False)
    migrated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    shared_functions: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OversightSystemCost(Base):
    """One fiscal year of one system's costs in thousand yen (千円): 運用等経費 and 整備経費, of
    which 改修 (modification) — the 30% target counts 運用等経費 + 改修."""

    __tablename__ = "oversight_system_costs"

    system_id: Mapped[str] = mapped_column(
        ForeignKey("oversight_systems.id", ondelete="CASCADE"), primary_key=True
    )
    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    operation: Mapped[int] = mapped_column(BigInteger)  # 運用等経費
    development: Mapped[int] = mapped_column(BigInteger)  # 整備経費
    modification: Mapped[int] = mapped_column(BigInteger)  # うち改修経費


class OversightAudit(Base):
    """Who changed what in the oversight registers, when (append-only)."""

    __tablename__ = "oversight_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ServiceMetrics:
    """The counters of the service KPIs (a mixin: the same columns overall and by organization)."""

    submitted: Mapped[int] = mapped_column(Integer, default=0)
    by_staff: Mapped[int] = mapped_column(Integer, default=0)
    prefilled: Mapped[int] = mapped_column(Integer, default=0)
    proxy: Mapped[int] = mapped_column(Integer, default=0)
    decided: Mapped[int] = mapped_column(Integer, default=0)
    decided_in_time: Mapped[int] = mapped_column(Integer, default=0)  # within the 標準処理期間
    decision_days: Mapped[int] = mapped_column(Integer, default=0)  # sum over decided
    withdrawn: Mapped[int] = mapped_column(Integer, default=0)


class OversightServiceCounter(ServiceMetrics, Base):
    """The service KPIs' counters of one of this platform's procedures in one month (JST), kept up
    to date from the applications' event feed: each event adds to them once, no page recounts."""

    __tablename__ = "oversight_service_counters"

    procedure_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM of the event


class OversightServicePlaceCounter(ServiceMetrics, Base):
    """The same counters per responsible organization (the application's 申請先), with the
    prefecture of a local government, for the dashboard's prefecture and municipality filters."""

    __tablename__ = "oversight_service_place_counters"
    __table_args__ = (Index("ix_oversight_service_place_counters_prefecture", "prefecture_code"),)

    procedure_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    prefecture_code: Mapped[str] = mapped_column(String(2), default="")  # "" for a national office


class OversightFeedPosition(Base):
    """How far the counters have read a feed (the last event id taken into account)."""

    __tablename__ = "oversight_feed_positions"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger)


class OversightFunnelCount(Base):
    """How many times one step of one of this platform's procedures was reached on one day (JST):
    the anonymous step funnel (started → review → submitted). Counts only: no person, session,
    application or time of day is kept."""

    __tablename__ = "oversight_funnel_counts"

    procedure_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    step: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class OversightSatisfactionCount(Base):
    """Answers to the one-question survey after a submission (満足度, 5 levels as GOV.UK asks it),
    counted per procedure and month."""

    __tablename__ = "oversight_satisfaction_counts"

    procedure_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM (JST)
    level: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1 very dissatisfied … 5 very satisfied
    count: Mapped[int] = mapped_column(Integer, default=0)


class OversightFeedbackComment(Base):
    """An optional comment left with a survey answer: the procedure and the month only, never who
    wrote it, which application it was about, or the answer's exact time."""

    __tablename__ = "oversight_feedback_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    procedure_id: Mapped[str] = mapped_column(String(64), index=True)
    month: Mapped[str] = mapped_column(String(7))
    level: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class OversightInventoryBasis(Base):
    """The article a procedure of one survey year rests on (法令名 + 根拠条項号, read by
    ``legal_basis.citations``), for linking this platform's procedures by their legal basis.
    Rebuilt with its survey year on import."""

    __tablename__ = "oversight_inventory_bases"
    __table_args__ = (Index("ix_oversight_inventory_bases_article", "law", "article", "survey_year"),)

    survey_year: Mapped[int] = mapped_column(
        ForeignKey("oversight_inventory_surveys.survey_year", ondelete="CASCADE"), primary_key=True
    )
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True)  # the procedure's row in its year
    law: Mapped[str] = mapped_column(String(255), primary_key=True)  # legal_basis.law_key
    article: Mapped[str] = mapped_column(String(32), primary_key=True)  # 24-2 for 第24条の2
    paragraph: Mapped[str] = mapped_column(String(16), primary_key=True, default="")  # 項
    item: Mapped[str] = mapped_column(String(16), primary_key=True, default="")  # 号


class OversightFunnelPlaceCount(Base):
    """The step funnel per responsible organization, where the page knows it (the form of a
    procedure whose 申請先 depends on an answer is counted before it is known: overall only)."""

    __tablename__ = "oversight_funnel_place_counts"
    __table_args__ = (Index("ix_oversight_funnel_place_counts_prefecture", "prefecture_code"),)

    procedure_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    step: Mapped[str] = mapped_column(String(16), primary_key=True)
    prefecture_code: Mapped[str] = mapped_column(String(2), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)


class OversightSatisfactionPlaceCount(Base):
    """Survey answers per responsible organization (the answer given under an application's
    receipt, which knows where it went)."""

    __tablename__ = "oversight_satisfaction_place_counts"
    __table_args__ = (Index("ix_oversight_satisfaction_place_counts_prefecture", "prefecture_code"),)

    procedure_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefecture_code: Mapped[str] = mapped_column(String(2), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
