"""来庁予約: slots an organization publishes, and one booking per application that needs a visit.

A slot's ``booked`` counter grows only by a conditional UPDATE (``booked < capacity``), so
concurrent bookings can never exceed the capacity on either backend; the unique
``active_application_id`` keeps one active booking per application. Booking, changing and
cancelling close at the slot's cut-off (``closes_at``); each is audited on the application and
confirmed in the person's お知らせ.
"""

from __future__ import annotations

from tsunagu.procedures.appointments.service.booking import book, book_durably, bring, cancel, of_application
from tsunagu.procedures.appointments.service.counter import cancel_slot, record_outcome, schedule, seed_demo
from tsunagu.procedures.appointments.service.publishing import (
    may_publish,
    needs_appointment,
    plan_week,
    publish,
    publish_many,
    require_publisher,
)
from tsunagu.procedures.appointments.service.reading import active_booking, get_slot
from tsunagu.procedures.appointments.service.records import (
    BOOKING_ROUNDS,
    DEFAULT_CUTOFF,
    MAX_CAPACITY,
    MAX_CUTOFF_MINUTES,
    OUTCOMES,
    STATUS_NAMES,
    WEEKDAYS,
    WINDOW_DAYS,
    ApplicationClosed,
    AppointmentNotNeeded,
    Booking,
    BookingNotFound,
    ChangeClosed,
    InvalidSlot,
    OutcomeNotAllowed,
    ScheduledSlot,
    Slot,
    SlotClosed,
    SlotFull,
    SlotNotForApplication,
    SlotNotFound,
    SlotPlan,
    Visit,
    WeekPlan,
)
from tsunagu.procedures.appointments.service.slots import (
    by_day,
    day_start,
    earliest_visit,
    free_slots,
    window,
)

__all__ = [
    "BOOKING_ROUNDS",
    "DEFAULT_CUTOFF",
    "MAX_CAPACITY",
    "MAX_CUTOFF_MINUTES",
    "OUTCOMES",
    "STATUS_NAMES",
    "WEEKDAYS",
    "WINDOW_DAYS",
    "ApplicationClosed",
    "AppointmentNotNeeded",
    "Booking",
    "BookingNotFound",
    "ChangeClosed",
    "InvalidSlot",
    "OutcomeNotAllowed",
    "ScheduledSlot",
    "Slot",
    "SlotClosed",
    "SlotFull",
    "SlotNotForApplication",
    "SlotNotFound",
    "SlotPlan",
    "Visit",
    "WeekPlan",
    "active_booking",
    "book",
    "book_durably",
    "bring",
    "by_day",
    "cancel",
    "cancel_slot",
    "day_start",
    "earliest_visit",
    "free_slots",
    "get_slot",
    "may_publish",
    "needs_appointment",
    "of_application",
    "plan_week",
    "publish",
    "publish_many",
    "record_outcome",
    "require_publisher",
    "schedule",
    "seed_demo",
    "window",
]
