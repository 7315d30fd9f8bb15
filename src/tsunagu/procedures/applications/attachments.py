"""添付ファイル: uploaded files of an application, typed by their bytes and kept in the database.

The real type comes from the file's magic bytes (PDF, PNG, JPEG), never from the browser's
claim. Files live in ``procedures_attachments`` next to the application, so an application and
its files are committed (or rolled back) together and backed up together. Between the review and
the submit step a file is *pending*: held under the form's idempotency key for its owner.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import NotFound
from tsunagu.procedures.applications.validation import FILE_TYPES, UploadedFile
from tsunagu.procedures.models import ProceduresAttachment

PENDING_FOR = timedelta(days=1)
UNKNOWN_TYPE = "application/octet-stream"
MAGIC: tuple[tuple[bytes, str], ...] = tuple(
    zip((b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"), FILE_TYPES, strict=True)
)


class AttachmentNotFound(NotFound):
    code = "attachment-not-found"
    title = "Attachment not found"


@dataclass(frozen=True)
class Attachment:
    id: str
    application_id: str | None
    field: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


def sniff(content: bytes) -> str:
    """The type the bytes really are (PDF, PNG, JPEG), or ``application/octet-stream``."""
    return next((kind for magic, kind in MAGIC if content.startswith(magic)), UNKNOWN_TYPE)


def describe(filename: str, content: bytes) -> UploadedFile:
    """What validation checks of an upload: its size and its sniffed (not claimed) type."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1][:255] or "file"
    return UploadedFile(name, sniff(content), len(content), hashlib.sha256(content).hexdigest())


def hold(db: Session, owner: str, key: str, *, field: str, upload: UploadedFile, content: bytes) -> None:
    """Keep an upload for the form ``key`` until it is submitted (replacing an earlier one)."""
    now = clock.now()
    db.execute(
        delete(ProceduresAttachment).where(
            ProceduresAttachment.application_id.is_(None),
            (ProceduresAttachment.uploaded_at < now - PENDING_FOR)
            | (
                (ProceduresAttachment.owner_id == owner)
                & (ProceduresAttachment.upload_key == key)
                & (ProceduresAttachment.field == field)
            ),
        )
    )
    db.add(
        ProceduresAttachment(
            id=uuid.uuid4().hex,
            application_id=None,
            owner_id=owner,
            upload_key=key,
            field=field,
            filename=upload.filename,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
            content=content,
            uploaded_at=now,
        )
    )
    db.flush()


def pending(db: Session, owner: str, key: str) -> dict[str, UploadedFile]:
    """The files held for the form ``key``, by field."""
    rows = db.scalars(
        select(ProceduresAttachment).where(
            ProceduresAttachment.application_id.is_(None),
            ProceduresAttachment.owner_id == owner,
            ProceduresAttachment.upload_key == key,
        )
    )
    return {r.field: UploadedFile(r.filename, r.content_type, r.size, r.sha256) for r in rows}


def attach_pending(db: Session, owner: str, key: str, application_id: str) -> None:
    """Link the files held for the form ``key`` to the application (a new file of a field
    replaces the one it had: a corrected application keeps one file per field)."""
    rows = list(
        db.scalars(
            select(ProceduresAttachment).where(
                ProceduresAttachment.application_id.is_(None),
                ProceduresAttachment.owner_id == owner,
                ProceduresAttachment.upload_key == key,
            )
        )
    )
    if not rows:
        return
    db.execute(
        delete(ProceduresAttachment).where(
            ProceduresAttachment.application_id == application_id,
            ProceduresAttachment.field.in_([r.field for r in rows]),
        )
    )
    for row in rows:
        row.application_id = application_id
    db.flush()


def _info(row: ProceduresAttachment) -> Attachment:
    return Attachment(
        row.id,
        row.application_id,
        row.field,
        row.filename,
        row.content_type,
        row.size,
        row.sha256,
        row.uploaded_at,
    )


def of_application(db: Session, application_id: str) -> list[Attachment]:
    rows = db.scalars(
        select(ProceduresAttachment)
        .where(ProceduresAttachment.application_id == application_id)
        .order_by(ProceduresAttachment.field, ProceduresAttachment.uploaded_at)
    )
    return [_info(r) for r in rows]


def content_of(db: Session, application_id: str, attachment_id: str) -> tuple[Attachment, bytes]:
    """A file of an application (the caller has checked, with ``get_for``, who may see it)."""
    row = db.get(ProceduresAttachment, attachment_id)
    if row is None or row.application_id != application_id:
        raise AttachmentNotFound(f"no attachment {attachment_id} on this application")
    return _info(row), bytes(row.content)
