"""The routers of the fee and appointment sub-packages, included by the app as one."""

from __future__ import annotations

from fastapi import APIRouter

from tsunagu.procedures.payments import api as payments_api
from tsunagu.procedures.payments import pages as payments_pages

router = APIRouter()
for part in (payments_api.router, payments_pages.router):
    router.include_router(part)
