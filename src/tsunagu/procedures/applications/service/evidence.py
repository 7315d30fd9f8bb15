"""Evidence through the mesh, collected after the submission is committed; a provider that is down
leaves the evidence marked for retry (retry_evidence).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.mesh import errors as mesh_errors
from tsunagu.procedures import meshlink
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.applications.service.reading import get_for, load
from tsunagu.procedures.applications.service.records import Application
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.models import (
    ProceduresEvidence,
)
from tsunagu.procedures.registry import LiveRegistry
from tsunagu.registry.residents import service as residents


def collect_evidence(
    database: Database, gateway: meshlink.MeshGateway, procedure: Procedure, application_id: str
) -> Application:
    """Fetch every evidence item not yet fetched; failures stay recorded for a retry."""
    with database.session() as db:
        app = load(db, application_id)
        person = residents.get_resident(db, app.subject_id)
    # a business's evidence is about its corporation, named by 法人番号 (no municipality)
    subject = (
        (person.id, person.municipality_code)
        if person is not None
        else (app.subject_id, "")
        if app.applicant_kind == "business"
        else None
    )
    for spec in procedure.evidence:
        current = next((e for e in app.evidence if e.service == spec.service), None)
        if current is None or current.status == "ok" or subject is None:
            continue
        try:
            got = gateway.fetch(
                spec.service,
                consumer=app.organization_code,
                resident_id=subject[0],
                resident_municipality=subject[1],
                items=tuple(i.item for i in spec.items),
            )
            update: dict[str, Any] = {
                "status": "ok",
                "data": got.data,
                "provider": got.provider,
                "mesh_service": got.mesh_service,
                "legal_basis_id": got.legal_basis_id,
                "log_reference": got.request_id,
                "error": "",
                "fetched_at": got.fetched_at,
            }
        except (mesh_errors.MeshDenied, meshlink.MeshUnavailable, meshlink.SourceNotConnected) as exc:
            update = {"status": "unavailable", "error": f"{exc.code}: {exc.detail}"}
        with database.session() as db:
            row = db.scalar(
                select(ProceduresEvidence).where(
                    ProceduresEvidence.application_id == application_id,
                    ProceduresEvidence.service == spec.service,
                )
            )
            if row is not None:
                for key, value in update.items():
                    setattr(row, key, value)
                row.attempts += 1
    with database.session() as db:
        return load(db, application_id)


def retry_evidence(
    database: Database,
    gateway: meshlink.MeshGateway,
    registry: LiveRegistry,
    principal: Principal,
    application_id: str,
) -> Application:
    """Ask the registries again for the evidence of an application the principal may see."""
    with database.session() as db:
        app = get_for(db, principal, application_id)
    return collect_evidence(database, gateway, catalogue.get_procedure(registry, app.procedure_id), app.id)
