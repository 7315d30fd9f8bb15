"""Every mesh table, for the schema registry (tsunagu.migrations.schema)."""

from tsunagu.mesh.codes.models import MeshPersonLink, MeshSubjectCode
from tsunagu.mesh.directory.models import (
    MeshConsent,
    MeshDirectoryAudit,
    MeshLegalBasis,
    MeshOrganization,
    MeshPrivateKey,
    MeshService,
    MeshSubscription,
)
from tsunagu.mesh.log.models import MeshLogCheckpoint, MeshLogEntry
from tsunagu.mesh.node.models import MeshNodePerson, MeshNodeRecord, MeshSeenRequest
from tsunagu.mesh.push.models import MeshPushDelivery, MeshPushReceived

__all__ = [
    "MeshConsent",
    "MeshDirectoryAudit",
    "MeshLegalBasis",
    "MeshLogCheckpoint",
    "MeshLogEntry",
    "MeshNodePerson",
    "MeshNodeRecord",
    "MeshOrganization",
    "MeshPersonLink",
    "MeshPrivateKey",
    "MeshPushDelivery",
    "MeshPushReceived",
    "MeshSeenRequest",
    "MeshService",
    "MeshSubjectCode",
    "MeshSubscription",
]
