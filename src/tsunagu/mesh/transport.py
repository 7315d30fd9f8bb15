"""HTTP between nodes: one pool of keep-alive HTTP/1.1 connections per peer, reused across threads.

The standard library's ``http.client`` is used rather than httpx: a mesh exchange makes two such
calls (consumer → provider → directory) and httpx's request machinery cost more CPU than the
signing and verifying around them. Only what the mesh needs: a POST of a signed message and a GET
of directory entries, each answered with the status and the body text.
"""

from __future__ import annotations

import http.client
import select
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

_IDLE_PER_PEER = 32


class TransportError(Exception):
    """The peer could not be reached or broke off the exchange."""


@dataclass(frozen=True)
class PeerResponse:
    status_code: int
    text: str
    content_type: str


def _closed_by_peer(connection: http.client.HTTPConnection) -> bool:
    """An idle keep-alive connection that has become readable was closed (or broken) by the peer."""
    sock = connection.sock
    if sock is None:
        return True
    poller = select.poll()  # not select.select: it fails on descriptors above FD_SETSIZE
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class PeerClient:
    """Thread-safe: each call borrows an idle connection to the peer (or opens one) and returns it."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._idle: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = {}
        self._guard = threading.Lock()
        self._tls = ssl.create_default_context()

    def _borrow(self, peer: tuple[str, str, int]) -> http.client.HTTPConnection:
        with self._guard:
            idle = self._idle.get(peer, [])
            while idle:
                connection = idle.pop()
                if not _closed_by_peer(connection):
                    return connection
                connection.close()
        scheme, host, port = peer
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=self.timeout, context=self._tls)
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

    def _give_back(self, peer: tuple[str, str, int], connection: http.client.HTTPConnection) -> None:
        with self._guard:
            idle = self._idle.setdefault(peer, [])
            if len(idle) < _IDLE_PER_PEER:
                idle.append(connection)
                return
        connection.close()

    def request(self, method: str, url: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> PeerResponse:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TransportError(f"not an http(s) URL: {url!r}")
        peer = (parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection = self._borrow(peer)
        try:
            connection.request(method, target or "/", body=None if body is None else body.encode(),
                               headers=headers or {})
            response = connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if response.will_close:
            connection.close()
        else:
            self._give_back(peer, connection)
        charset = response.headers.get_content_charset() or "utf-8"
        return PeerResponse(response.status, raw.decode(charset, "replace"),
                            response.headers.get("content-type", ""))

    def post(self, url: str, content: str, headers: dict[str, str]) -> PeerResponse:
        return self.request("POST", url, content, headers)

    def get(self, url: str) -> PeerResponse:
        return self.request("GET", url)

    def close(self) -> None:
        with self._guard:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()
