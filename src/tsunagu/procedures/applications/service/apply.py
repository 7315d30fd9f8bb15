"""申請 from the filled-in form to the receipt: the one flow the API and the pages both call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.procedures import meshlink
from tsunagu.procedures.applications.service.evidence import collect_evidence
from tsunagu.procedures.applications.service.prefill import unseal
from tsunagu.procedures.applications.service.records import Application
from tsunagu.procedures.applications.service.submission import Submission, prepare, replay, submit
from tsunagu.procedures.definition import Procedure


@dataclass(frozen=True)
class Draft:
    """A filled-in form as sent: who applies, for which procedure, the values, the key and seal.

    ``request`` is what the Idempotency-Key is bound to (what was sent, never the registry
    values); ``seal`` None means the form carries no registry values, so they are fetched.
    """

    procedure: Procedure
    principal: Principal
    values: Mapping[str, Any]
    idempotency_key: str
    request: Mapping[str, Any]
    seal: str | None = None
    on_behalf_of: str | None = None
    bundle_id: str | None = None  # a filing of several procedures at once (おくやみ, 子育て)


def apply(
    database: Database, gateway: meshlink.MeshGateway, secret: str, draft: Draft
) -> tuple[Application, bool]:
    """申請: (the application, whether this call created it).

    A key sent before returns its first application before anything is looked up; otherwise
    the form is checked and completed (``prepare``), stored before it is acknowledged
    (``submit``), and only then is evidence fetched through the mesh.
    """
    procedure, principal, key = draft.procedure, draft.principal, draft.idempotency_key
    with database.session() as db:
        earlier = replay(db, principal, procedure.id, key, draft.request)
        if earlier is not None:
            return earlier, False
        # the values describe the person applied for: a seal of anyone else's is refused
        subject_id = draft.on_behalf_of or principal.subject_id
        sealed = None if draft.seal is None else unseal(secret, draft.seal, subject_id, procedure)
        prefilled, data, organization, subject = prepare(
            db,
            gateway,
            procedure,
            principal,
            draft.values,
            sealed=sealed,
            on_behalf_of=draft.on_behalf_of,
            key=key,
        )
    app, created = submit(
        database,
        Submission(
            procedure, principal, subject, organization, data, prefilled, key, draft.request, draft.bundle_id
        ),
    )
    if created and app.evidence_pending:
        app = collect_evidence(database, gateway, procedure, app.id)
    return app, created
