"""A lean keep-alive HTTP/1.1 client for load generators (asyncio streams, httptools parsing).

The load process shares the benchmark machine's cores with the server it measures, so its own
cost per request decides how much CPU is left for the server: httpx spent about 4 ms of CPU per
submission (its request and connection-pool machinery in Python), this client a fraction of it.
Only what a load generator needs: one connection per client, requests written as bytes,
Content-Length or chunked answers, reconnecting when the server closes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import httptools


class RequestFailed(Exception):
    """The connection broke or timed out before the whole answer arrived."""


@dataclass
class _Reply:
    body: list[bytes] = field(default_factory=list)
    closing: bool = False
    complete: bool = False

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"connection" and value.lower() == b"close":
            self.closing = True

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.complete = True


class KeepAlive:
    """One client's connection to ``host:port``; :meth:`request` answers (status, body)."""

    def __init__(self, host: str, port: int, timeout: float = 60.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(
        self, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        try:
            return await asyncio.wait_for(self._exchange(method, target, body, headers or {}), self.timeout)
        except (TimeoutError, OSError, httptools.HttpParserError) as exc:
            self.close()
            raise RequestFailed(f"{type(exc).__name__}: {exc}") from exc

    async def _exchange(
        self, method: str, target: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        head = f"{method} {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        head += f"Content-Length: {len(body)}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        writer.write((head + "\r\n").encode("latin-1") + body)
        reply = _Reply()
        parser = httptools.HttpResponseParser(reply)
        while not reply.complete:
            data = await reader.read(65536)
            if not data:
                raise ConnectionResetError("the server closed the connection before answering in full")
            parser.feed_data(data)
        if reply.closing:
            self.close()
        return parser.get_status_code(), b"".join(reply.body)

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None
