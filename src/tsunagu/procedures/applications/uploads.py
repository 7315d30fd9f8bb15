"""Files sent with a browser form: read, typed by their bytes, checked against the field's limits
and held for the form until it is submitted (so a re-displayed form need not ask for them again)."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from tsunagu.procedures.applications import attachments
from tsunagu.procedures.applications.validation import FieldError, InvalidApplication, clean
from tsunagu.procedures.definition import Procedure


async def receive(
    db: Session, procedure: Procedure, form: FormData, *, owner: str, key: str, fields: set[str] | None = None
) -> dict[str, FieldError]:
    """Hold every valid file of the form under ``key``; the problems of the others, by field."""
    problems: dict[str, FieldError] = {}
    for field in procedure.fields:
        upload = form.get(field.name)
        if field.type != "file" or not isinstance(upload, UploadFile) or not upload.filename:
            continue
        if fields is not None and field.name not in fields:
            continue
        content = await upload.read()
        described = attachments.describe(upload.filename, content)
        try:
            clean(procedure, {field.name: described}, partial=True)
        except InvalidApplication as exc:
            problems |= {p.field: p for p in exc.problems}
            continue
        attachments.hold(db, owner, key, field=field.name, upload=described, content=content)
    return problems
