"""The limits, errors and values of 来庁予約: slots, bookings, visits and the plans staff publish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tsunagu.core import clock
from tsunagu.core.errors import Conflict, NotFound, ValidationFailed
from tsunagu.core.types.wareki import format_wareki

DEFAULT_CUTOFF = timedelta(hours=1)
WINDOW_DAYS = 14
MAX_CAPACITY = 100
MAX_CUTOFF_MINUTES = 7 * 24 * 60
WEEKDAYS = "月火水木金土日"
BOOKING_ROUNDS = 8
STATUS_NAMES = {
    "booked": "予約中",
    "cancelled": "取消し",
    "changed": "変更済み",
    "attended": "来庁済み",
    "no_show": "来庁なし",
}
OUTCOMES = ("attended", "no_show")


class AppointmentNotNeeded(Conflict):
    code = "appointment-not-required"
    title = "This procedure needs no visit, so there is nothing to book"


class ApplicationClosed(Conflict):
    code = "appointment-application-closed"
    title = "The application is decided or withdrawn; no visit can be booked"


class SlotNotFound(NotFound):
    code = "appointment-slot-not-found"
    title = "Appointment slot not found"


class SlotNotForApplication(Conflict):
    code = "appointment-slot-mismatch"
    title = "This slot is for another organization or procedure"


class SlotFull(Conflict):
    code = "appointment-slot-full"
    title = "The slot is fully booked"


class SlotClosed(Conflict):
    code = "appointment-slot-closed"
    title = "The slot can no longer be booked (past, after its cut-off, or cancelled)"


class ChangeClosed(Conflict):
    code = "appointment-change-closed"
    title = "The booking can no longer be changed or cancelled (its cut-off has passed)"


class BookingNotFound(NotFound):
    code = "appointment-not-found"
    title = "No active booking"


class OutcomeNotAllowed(Conflict):
    code = "appointment-outcome-not-allowed"
    title = "The visit cannot be marked now"


class InvalidSlot(ValidationFailed):
    code = "appointment-invalid-slot"
    title = "The slot is not valid"


@dataclass(frozen=True)
class Slot:
    id: str
    organization_code: str
    procedure_id: str
    place: str
    starts_at: datetime
    ends_at: datetime
    closes_at: datetime
    capacity: int
    booked: int
    status: str

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0) if self.status == "open" else 0

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(clock.JST)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(clock.JST)

    @property
    def day(self) -> date:
        return self.local_start.date()

    @property
    def hours(self) -> str:
        return f"{self.local_start:%H:%M}〜{self.local_end:%H:%M}"

    @property
    def local_closes(self) -> datetime:
        return self.closes_at.astimezone(clock.JST)

    @property
    def wareki_day(self) -> str:
        """令和8年11月25日（水）"""
        return f"{format_wareki(self.day)}（{WEEKDAYS[self.day.weekday()]}）"

    @property
    def wareki(self) -> str:
        """令和8年11月25日（水） 10:00〜10:30"""
        return f"{self.wareki_day} {self.hours}"

    @property
    def western(self) -> str:
        """2026-11-25 10:00–10:30 (JST)"""
        return f"{self.day.isoformat()} {self.local_start:%H:%M}–{self.local_end:%H:%M} (JST)"


@dataclass(frozen=True)
class Booking:
    id: str
    slot: Slot
    application_id: str
    resident_id: str
    booked_by: str
    status: str
    reason: str
    created_at: datetime
    updated_at: datetime

    def changeable_at(self, at: datetime) -> bool:
        return self.status == "booked" and at < self.slot.closes_at


@dataclass(frozen=True)
class Visit:
    """A booking as the counter sees it: who comes for which application."""

    booking: Booking
    receipt_number: str
    procedure_id: str
    resident_name: str


@dataclass(frozen=True)
class ScheduledSlot:
    slot: Slot
    visits: tuple[Visit, ...]


@dataclass(frozen=True)
class SlotPlan:
    """One slot to publish; ``procedure_id`` "" makes it a counter slot for every such procedure."""

    procedure_id: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    cutoff_minutes: int = int(DEFAULT_CUTOFF.total_seconds() // 60)


@dataclass(frozen=True)
class WeekPlan:
    """A week of slots from a form: which weekdays, opening hours, slot length and capacity."""

    procedure_id: str
    place: str
    first_day: date
    weekdays: tuple[int, ...]
    opens: time
    closes: time
    interval_minutes: int
    capacity: int
    days: int = 7
    cutoff_minutes: int = int(DEFAULT_CUTOFF.total_seconds() // 60)
