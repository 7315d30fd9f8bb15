"""API shapes of 来庁予約: slots, week plans, bookings and the counter's day."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from tsunagu.procedures.appointments.service import (
    DEFAULT_CUTOFF,
    MAX_CAPACITY,
    Booking,
    ScheduledSlot,
    Slot,
    SlotPlan,
    Visit,
    WeekPlan,
)

CUTOFF_MINUTES = int(DEFAULT_CUTOFF.total_seconds() // 60)


class SlotIn(BaseModel):
    procedure_id: str = Field("", max_length=64, description="The procedure; empty for a counter slot")
    place: str = Field("", max_length=200, description="Empty: the place the procedure's definition names")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int = Field(ge=1, le=MAX_CAPACITY)
    cutoff_minutes: int = Field(CUTOFF_MINUTES, ge=0, description="Booking and changes close this early")

    def plan(self) -> SlotPlan:
        return SlotPlan(
            self.procedure_id, self.place, self.starts_at, self.ends_at, self.capacity, self.cutoff_minutes
        )


class WeekIn(BaseModel):
    procedure_id: str = Field("", max_length=64)
    place: str = Field("", max_length=200)
    first_day: date
    weekdays: list[int] = Field(default=[0, 1, 2, 3, 4], description="0 = Monday … 6 = Sunday")
    opens: time = Field(description="Opening time (JST)")
    closes: time = Field(description="Closing time (JST)")
    interval_minutes: int = Field(30, ge=5, le=480)
    capacity: int = Field(ge=1, le=MAX_CAPACITY)
    days: int = Field(7, ge=1, le=31)
    cutoff_minutes: int = Field(CUTOFF_MINUTES, ge=0)

    def plan(self) -> WeekPlan:
        return WeekPlan(
            self.procedure_id,
            self.place,
            self.first_day,
            tuple(self.weekdays),
            self.opens,
            self.closes,
            self.interval_minutes,
            self.capacity,
            self.days,
            self.cutoff_minutes,
        )


class PublishedOut(BaseModel):
    created: int
    skipped: int = Field(description="Slots that already existed (same place and time)")


class SlotOut(BaseModel):
    id: str
    organization_code: str
    procedure_id: str = Field(description="Empty for a counter slot open to every procedure")
    place: str
    starts_at: datetime
    ends_at: datetime
    closes_at: datetime = Field(description="Booking, changing and cancelling end here")
    capacity: int
    booked: int
    remaining: int
    status: Literal["open", "cancelled"]
    wareki: str = Field(description="Date and time in 和暦 (JST)")

    @classmethod
    def of(cls, s: Slot) -> SlotOut:
        return cls.model_validate(s, from_attributes=True)


class BookingIn(BaseModel):
    slot_id: str = Field(max_length=32)


class BookingOut(BaseModel):
    id: str
    application_id: str
    status: Literal["booked", "cancelled", "changed", "attended", "no_show"]
    reason: str
    slot: SlotOut
    bring: list[str] = Field(default_factory=list, description="What to bring (from the definition)")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, b: Booking, bring: list[str] | None = None) -> BookingOut:
        return cls(
            id=b.id,
            application_id=b.application_id,
            status=b.status,
            reason=b.reason,
            slot=SlotOut.of(b.slot),
            bring=bring or [],
            created_at=b.created_at,
            updated_at=b.updated_at,
        )


class CancelSlotIn(BaseModel):
    reason: str = Field("", max_length=500)


class CancelledSlotOut(BaseModel):
    slot: SlotOut
    cancelled_bookings: int


class OutcomeIn(BaseModel):
    outcome: Literal["attended", "no_show"]


class VisitOut(BaseModel):
    booking: BookingOut
    receipt_number: str
    procedure_id: str
    resident_name: str

    @classmethod
    def of(cls, v: Visit) -> VisitOut:
        return cls(
            booking=BookingOut.of(v.booking),
            receipt_number=v.receipt_number,
            procedure_id=v.procedure_id,
            resident_name=v.resident_name,
        )


class ScheduledSlotOut(BaseModel):
    slot: SlotOut
    visits: list[VisitOut]

    @classmethod
    def of(cls, s: ScheduledSlot) -> ScheduledSlotOut:
        return cls(slot=SlotOut.of(s.slot), visits=[VisitOut.of(v) for v in s.visits])
