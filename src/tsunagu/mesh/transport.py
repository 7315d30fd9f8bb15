"""HTTP between nodes: one pool of keep-alive HTTP/1.1 connections per peer, reused across threads.

Neither httpx nor ``http.client``: a mesh exchange makes two such calls (consumer → provider →
directory), and their request machinery (httpx's) or header parsing (``http.client`` parses headers
with the ``email`` package) cost more CPU than the signing and verifying around them. Requests are
written as bytes and responses parsed by httptools (llhttp, in C: the parser uvicorn uses), with
Content-Length or chunked bodies. Only what the mesh needs: a POST of a signed message and a GET of
directory entries, each answered with the status and the body text.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httptools

_IDLE_PER_PEER = 32


class TransportError(Exception):
    """The peer could not be reached or broke off the exchange."""


@dataclass(frozen=True)
class PeerResponse:
    status_code: int
    text: str
    content_type: str


@dataclass
class _Reply:
    """httptools' callbacks: what one response brought."""

    headers: dict[str, str] = field(default_factory=dict)
    body: list[bytes] = field(default_factory=list)
    complete: bool = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.complete = True

    def response(self, parser: httptools.HttpResponseParser) -> tuple[PeerResponse, bool]:
        """The response, and whether its connection may carry another request."""
        content_type = self.headers.get("content-type", "")
        _, _, charset = content_type.partition("charset=")
        text = b"".join(self.body).decode(charset.split(";")[0].strip(' "') or "utf-8", "replace")
        closing = self.headers.get("connection", "").lower() == "close"
        keep_alive = parser.get_http_version() == "1.1" and not closing
        return PeerResponse(parser.get_status_code(), text, content_type), keep_alive


def _host_header(peer: tuple[str, str, int]) -> str:
    _, host, port = peer
    return host if port in (80, 443) else f"{host}:{port}"


def _request_bytes(host: str, method: str, target: str, body: bytes, headers: dict[str, str]) -> bytes:
    head = [f"{method} {target} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def _peer_of(url: str) -> tuple[tuple[str, str, int], str]:
    """(scheme, host, port) and the request target of an http(s) URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError(f"not an http(s) URL: {url!r}")
    peer = (parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    return peer, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class _Connection:
    """One keep-alive HTTP/1.1 connection to a peer."""

    def __init__(self, peer: tuple[str, str, int], timeout: float, tls: ssl.SSLContext) -> None:
        scheme, host, port = peer
        self.host = _host_header(peer)
        sock = socket.create_connection((host, port), timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # one small write per request
        self.sock: socket.socket | None = (
            tls.wrap_socket(sock, server_hostname=host) if scheme == "https" else sock
        )

    def exchange(
        self, method: str, target: str, body: bytes, headers: dict[str, str]
    ) -> tuple[PeerResponse, bool]:
        """Send one request and read its response; also says whether the connection stays open."""
        assert self.sock is not None
        self.sock.sendall(_request_bytes(self.host, method, target, body, headers))
        reply = _Reply()
        parser = httptools.HttpResponseParser(reply)
        while not reply.complete:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("the peer closed the connection before answering in full")
            parser.feed_data(data)
        return reply.response(parser)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _closed_by_peer(connection: _Connection) -> bool:
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
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._guard = threading.Lock()
        self._tls = ssl.create_default_context()

    def _borrow(self, peer: tuple[str, str, int]) -> _Connection:
        with self._guard:
            idle = self._idle.get(peer, [])
            while idle:
                connection = idle.pop()
                if not _closed_by_peer(connection):
                    return connection
                connection.close()
        return _Connection(peer, self.timeout, self._tls)

    def _give_back(self, peer: tuple[str, str, int], connection: _Connection) -> None:
        with self._guard:
            idle = self._idle.setdefault(peer, [])
            if len(idle) < _IDLE_PER_PEER:
                idle.append(connection)
                return
        connection.close()

    def request(
        self, method: str, url: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> PeerResponse:
        peer, target = _peer_of(url)
        connection = None
        try:
            connection = self._borrow(peer)
            response, keep_alive = connection.exchange(method, target, (body or "").encode(), headers or {})
        except (OSError, httptools.HttpParserError) as exc:
            if connection is not None:
                connection.close()
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if keep_alive:
            self._give_back(peer, connection)
        else:
            connection.close()
        return response

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


class AsyncPeerClient:
    """:class:`PeerClient` for a node's event loop: a POST without a thread of its own waiting on
    the socket. Its connections belong to the loop it is first used on."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._idle: dict[tuple[str, str, int], list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]] = {}

    async def post(self, url: str, content: str, headers: dict[str, str]) -> PeerResponse:
        peer, target = _peer_of(url)
        streams = None
        try:
            streams = await asyncio.wait_for(self._borrow(peer), self.timeout)
            response, keep_alive = await asyncio.wait_for(
                _exchange(streams, peer, target, content.encode(), headers), self.timeout
            )
        except (OSError, TimeoutError, httptools.HttpParserError) as exc:
            if streams is not None:
                streams[1].close()
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        idle = self._idle.setdefault(peer, [])
        if keep_alive and len(idle) < _IDLE_PER_PEER:
            idle.append(streams)
        else:
            streams[1].close()
        return response

    async def _borrow(self, peer: tuple[str, str, int]) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        idle = self._idle.get(peer, [])
        while idle:
            reader, writer = idle.pop()
            if not reader.at_eof() and not writer.is_closing():
                return reader, writer
            writer.close()
        scheme, host, port = peer
        reader, writer = await asyncio.open_connection(host, port, ssl=scheme == "https" or None)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return reader, writer

    def close(self) -> None:
        idle, self._idle = self._idle, {}
        for connections in idle.values():
            for _, writer in connections:
                writer.close()


async def _exchange(
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    peer: tuple[str, str, int],
    target: str,
    body: bytes,
    headers: dict[str, str],
) -> tuple[PeerResponse, bool]:
    reader, writer = streams
    writer.write(_request_bytes(_host_header(peer), "POST", target, body, headers))
    reply = _Reply()
    parser = httptools.HttpResponseParser(reply)
    while not reply.complete:
        data = await reader.read(65536)
        if not data:
            raise ConnectionError("the peer closed the connection before answering in full")
        parser.feed_data(data)
    return reply.response(parser)
