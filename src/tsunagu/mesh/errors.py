"""Refusals of the mesh, each with its own stable code (problem+json ``code``)."""

from __future__ import annotations

from tsunagu.core.errors import TsunaguError


class MeshDenied(TsunaguError):
    """A refused exchange; it is always written to the log as a denial."""

    status = 403
    code = "mesh-denied"
    title = "Mesh exchange refused"


class Unsigned(MeshDenied):
    status = 401
    code = "mesh-unsigned"
    title = "The message is not a signed JWS"


class BadSignature(MeshDenied):
    status = 401
    code = "mesh-bad-signature"
    title = "The signature does not verify"


class KeyRevoked(BadSignature):
    code = "mesh-key-revoked"
    title = "The signing key was revoked"


class KeyExpired(BadSignature):
    code = "mesh-key-expired"
    title = "The signing key is outside its validity period"


class StaleMessage(MeshDenied):
    status = 401
    code = "mesh-stale"
    title = "The message is outside the freshness window"


class Replay(MeshDenied):
    status = 409
    code = "mesh-replay"
    title = "The request id was already used"


class UnknownOrganization(MeshDenied):
    status = 404
    code = "mesh-unknown-organization"
    title = "Unknown organization"


class WrongProvider(MeshDenied):
    status = 421
    code = "mesh-wrong-provider"
    title = "The request is addressed to another organization"


class UnknownService(MeshDenied):
    status = 404
    code = "mesh-unknown-service"
    title = "Unknown service or version"


class NoLegalBasis(MeshDenied):
    code = "mesh-no-legal-basis"
    title = "No legal basis for this purpose"


class ItemsBeyondBasis(MeshDenied):
    code = "mesh-items-beyond-basis"
    title = "Items beyond the legal basis"


class UnknownSubject(MeshDenied):
    status = 404
    code = "mesh-unknown-subject"
    title = "Unknown subject code"


class SubjectNotRelated(MeshDenied):
    code = "mesh-subject-not-related"
    title = "The requesting organization has no relation with the person"


class CheckpointConflict(MeshDenied):
    status = 409
    code = "mesh-checkpoint-conflict"
    title = "The directory keeps another hash for this checkpoint"


class ResponseSchemaViolation(MeshDenied):
    status = 502
    code = "mesh-response-schema"
    title = "The provider's response breaks the service schema"


class ProviderUnavailable(MeshDenied):
    status = 503
    code = "mesh-provider-unavailable"
    title = "The provider's node did not answer"


class DirectoryUnavailable(MeshDenied):
    status = 503
    code = "mesh-directory-unavailable"
    title = "The mesh directory did not answer"


class MalformedMessage(MeshDenied):
    status = 400
    code = "mesh-malformed-message"
    title = "The signed message lacks required fields"


class MessageTooLarge(MeshDenied):
    status = 413
    code = "mesh-message-too-large"
    title = "The signed message is too large"


DENIALS: dict[str, type[MeshDenied]] = {
    cls.code: cls
    for cls in (
        MeshDenied,
        Unsigned,
        BadSignature,
        KeyRevoked,
        KeyExpired,
        StaleMessage,
        Replay,
        UnknownOrganization,
        WrongProvider,
        UnknownService,
        NoLegalBasis,
        ItemsBeyondBasis,
        UnknownSubject,
        SubjectNotRelated,
        CheckpointConflict,
        ResponseSchemaViolation,
        ProviderUnavailable,
        DirectoryUnavailable,
        MalformedMessage,
        MessageTooLarge,
    )
}


def denial_from_code(code: str, detail: str) -> MeshDenied:
    """Rebuild a peer's refusal from its problem+json ``code`` (unknown codes stay generic)."""
    return DENIALS.get(code, MeshDenied)(detail)
