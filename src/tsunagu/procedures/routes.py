"""The routers of the fee, appointment, correction, 転入 counter and おくやみ pages, included as one."""

from __future__ import annotations

from fastapi import APIRouter

from tsunagu.procedures.applications import business_api, business_pages, correction_pages
from tsunagu.procedures.appointments import api as appointments_api
from tsunagu.procedures.appointments import pages as appointments_pages
from tsunagu.procedures.bereavement import pages as bereavement_pages
from tsunagu.procedures.corpinfo import api as corpinfo_api
from tsunagu.procedures.corpinfo import pages as corpinfo_pages
from tsunagu.procedures.onestop import counter_pages
from tsunagu.procedures.payments import api as payments_api
from tsunagu.procedures.payments import pages as payments_pages

router = APIRouter()
for part in (
    payments_api.router,
    payments_pages.router,
    appointments_api.router,
    appointments_pages.router,
    correction_pages.router,
    business_api.router,
    business_pages.router,
    counter_pages.router,
    bereavement_pages.router,
    corpinfo_api.router,
    corpinfo_pages.router,
):
    router.include_router(part)
