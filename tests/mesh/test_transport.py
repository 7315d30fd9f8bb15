"""The nodes' keep-alive HTTP client against a real (standard library) server on loopback."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

import pytest

from tsunagu.mesh.cluster import free_port
from tsunagu.mesh.transport import AsyncPeerClient, PeerClient, TransportError

T = TypeVar("T")


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        answer = f"{self.client_address[1]}:{body.decode()}".encode()
        self.send_response(200)
        self.send_header("content-type", "text/plain; charset=utf-8")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/v1/query"


def test_connections_are_kept_alive_and_reused(server: ThreadingHTTPServer) -> None:
    client = PeerClient(timeout=5)
    first = client.post(_url(server), "一", {"content-type": "text/plain"})
    second = client.post(_url(server), "二", {"content-type": "text/plain"})
    client.close()
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.text.endswith(":一") and second.text.endswith(":二")
    assert first.text.split(":")[0] == second.text.split(":")[0]  # the same client port: one connection


def test_a_connection_the_peer_closed_is_not_reused(server: ThreadingHTTPServer) -> None:
    client = PeerClient(timeout=5)
    first = client.post(_url(server), "a", {})
    for connections in client._idle.values():
        for connection in connections:
            assert connection.sock is not None
            connection.sock.shutdown(0)  # as if the peer had dropped it while idle
    second = client.post(_url(server), "b", {})
    client.close()
    assert second.status_code == 200 and first.text.split(":")[0] != second.text.split(":")[0]


def test_an_unreachable_peer_is_a_transport_error() -> None:
    with pytest.raises(TransportError, match="ConnectionRefusedError"):
        PeerClient(timeout=5).post(f"http://127.0.0.1:{free_port()}/v1/query", "x", {})
    with pytest.raises(TransportError, match="not an http"):
        PeerClient(timeout=5).get("ftp://127.0.0.1/x")


class _Chunked(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for part in ('{"名前":', ' "つなぐ"}'):
            data = part.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args: object) -> None:
        pass


def test_a_chunked_answer_is_read_whole() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Chunked)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        client = PeerClient(timeout=5)
        answer = client.get(f"http://127.0.0.1:{httpd.server_address[1]}/v1/directory/x")
        client.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert (answer.status_code, answer.text) == (200, '{"名前": "つなぐ"}')
    assert answer.content_type.startswith("application/json")


def test_the_event_loop_client_keeps_connections_alive_and_drops_closed_ones(
    server: ThreadingHTTPServer,
) -> None:
    async def exchanges() -> tuple[str, str, str]:
        client = AsyncPeerClient(timeout=5)
        first = await client.post(_url(server), "一", {"content-type": "text/plain"})
        second = await client.post(_url(server), "二", {"content-type": "text/plain"})
        for connections in client._idle.values():
            for _, writer in connections:
                writer.get_extra_info("socket").shutdown(socket.SHUT_RDWR)  # as a peer closing it
        await asyncio.sleep(0.05)
        third = await client.post(_url(server), "三", {})
        client.close()
        return first.text, second.text, third.text

    first, second, third = _on_own_loop(exchanges())
    assert first.endswith(":一") and second.endswith(":二") and third.endswith(":三")
    assert first.split(":")[0] == second.split(":")[0] != third.split(":")[0]


def test_the_event_loop_client_reports_an_unreachable_peer() -> None:
    with pytest.raises(TransportError):
        _on_own_loop(AsyncPeerClient(timeout=2).post(f"http://127.0.0.1:{free_port()}/v1/query", "x", {}))


def _on_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on a new event loop in its own thread (other tests, e.g. Playwright's, may leave one
    running in this thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
