"""Everything one organization's node needs: its key, its database, the directory, an HTTP client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tsunagu.core.database import Database
from tsunagu.core.groupcommit import GroupCommit
from tsunagu.mesh import crypto
from tsunagu.mesh.directory.keys import NodeSigner
from tsunagu.mesh.log import archive
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.node.directory_client import Directory, LocalDirectory, RemoteDirectory
from tsunagu.mesh.node.replay import RecentRequests
from tsunagu.mesh.node.workers import WORKERS, Batches
from tsunagu.mesh.settings import MeshSettings
from tsunagu.mesh.transport import AsyncPeerClient, PeerClient


@dataclass(frozen=True)
class NodeContext:
    organization_code: str
    database: Database
    signer: NodeSigner
    directory: Directory
    http: PeerClient
    loop_http: AsyncPeerClient  # the same, for handlers on the node's event loop
    settings: MeshSettings
    local_token: str
    operator_key: crypto.SigningKey | None
    peers: Callable[[str], NodeContext | None] | None = None
    recent_requests: RecentRequests = field(default_factory=RecentRequests)
    # queries waiting for the next batch (one authorization call, one log transaction) as provider:
    # from threads (embedded callers), and from the node's event loop
    queries: GroupCommit = field(default_factory=GroupCommit)
    batches: Batches = field(default_factory=lambda: Batches(WORKERS))
    # as consumer on the node's event loop: the log lines of answered queries waiting for the next
    # log transaction
    answered: Batches = field(default_factory=lambda: Batches(WORKERS))

    @property
    def key(self) -> crypto.SigningKey:
        """The key this node signs with now (its current key in the directory, after rotations)."""
        return self.signer.current

    def local_peer(self, endpoint: str) -> NodeContext | None:
        """The peer node served by this very process at ``endpoint`` (embedded), if any."""
        return self.peers(endpoint) if self.peers else None

    @property
    def is_directory(self) -> bool:
        return self.operator_key is not None


def signing_key(secret: str, organization_code: str, settings: MeshSettings) -> crypto.SigningKey:
    if settings.key_file is not None:
        return crypto.load_signing_key(settings.key_file, organization_code)
    return crypto.derive_signing_key(secret, organization_code)


def build(
    organization_code: str,
    database: Database,
    secret: str,
    settings: MeshSettings,
    peers: Callable[[str], NodeContext | None] | None = None,
) -> NodeContext:
    """A node context; the directory operator's node (or any node without a directory URL) is local."""
    key = signing_key(secret, organization_code, settings)
    signer = NodeSigner(database, secret, organization_code, key)
    http = PeerClient(settings.timeout_seconds)
    is_operator = organization_code == settings.operator
    directory: Directory
    if is_operator or not settings.directory_url:
        operator_key = key if is_operator else signing_key(secret, settings.operator, settings)
        directory = LocalDirectory(database, signer, operator_key, settings.operator)
    else:
        directory = RemoteDirectory(settings.directory_url, http, signer, settings.operator)
    # the log's checkpoints are kept and countersigned by the directory, outside this node
    message_log.register_anchorer(database, organization_code, directory.anchor)
    archive.watch(database.url, settings)
    return NodeContext(
        organization_code,
        database,
        signer,
        directory,
        http,
        AsyncPeerClient(settings.timeout_seconds),
        settings,
        crypto.local_token(secret, organization_code),
        key if is_operator else None,
        peers,
    )
