"""Every route of procedures — the catalogue, applications, the back office, the one-stop, notices,
fees, appointments and the rest — installed by ``web.app`` in one call.

Order matters inside procedures: the applications API and pages come before the catalogue's
``/api/v1/procedures/{procedure_id}`` and ``/procedures/{procedure_id}``, which would otherwise take
``applications``, ``schema`` or ``life-events`` for a procedure id.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from tsunagu.core.http.routing import include_gated
from tsunagu.procedures import api as procedures_api
from tsunagu.procedures import pages as procedures_pages
from tsunagu.procedures.applications import api as applications_api
from tsunagu.procedures.applications import business_api, business_pages, correction_pages
from tsunagu.procedures.applications import pages as applications_pages
from tsunagu.procedures.appointments import api as appointments_api
from tsunagu.procedures.appointments import pages as appointments_pages
from tsunagu.procedures.backoffice import pages as backoffice_pages
from tsunagu.procedures.benefits import pages as benefits_pages
from tsunagu.procedures.bereavement import api as bereavement_api
from tsunagu.procedures.bereavement import pages as bereavement_pages
from tsunagu.procedures.corpinfo import api as corpinfo_api
from tsunagu.procedures.corpinfo import pages as corpinfo_pages
from tsunagu.procedures.notices import pages as notices_pages
from tsunagu.procedures.onestop import api as onestop_api
from tsunagu.procedures.onestop import counter_pages, kosodate_api, kosodate_pages
from tsunagu.procedures.onestop import pages as onestop_pages
from tsunagu.procedures.payments import api as payments_api
from tsunagu.procedures.payments import pages as payments_pages
from tsunagu.procedures.push import pages as push_pages

# the fee, appointment, correction, business, 転入 counter, おくやみ and 法人情報 routers, behind one gate
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
    bereavement_api.router,
    bereavement_pages.router,
    corpinfo_api.router,
    corpinfo_pages.router,
):
    router.include_router(part)


def install(app: FastAPI) -> None:
    include_gated(
        app,
        (
            applications_api.router,  # before the catalogue's /{procedure_id}
            router,
            onestop_api.router,
            kosodate_api.router,
            procedures_api.router,
            applications_pages.router,  # before the catalogue's /procedures/{procedure_id}
            backoffice_pages.router,
            notices_pages.router,
            onestop_pages.router,
            kosodate_pages.router,
            push_pages.router,
            benefits_pages.router,
            procedures_pages.router,
        ),
    )
