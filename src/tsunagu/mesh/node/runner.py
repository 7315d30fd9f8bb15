"""Serve one organization's node as its own process (uvicorn on the given address)."""

from __future__ import annotations

import argparse

from tsunagu.core.database import Database, check_connection
from tsunagu.core.settings import load_settings
from tsunagu.mesh.node.app import create_node_app
from tsunagu.mesh.node.context import build


def serve(organization_code: str, host: str, port: int) -> None:
    import uvicorn

    settings = load_settings()
    database = Database(settings.resolved_database_url, secret_key=settings.resolved_secret_key())
    check_connection(database.engine)
    ctx = build(organization_code, database, settings.resolved_secret_key(), settings.mesh)
    # uvloop and httptools: the event loop and HTTP parsing in C, not pure Python (h11); a node
    # spends more CPU in them than in signing and verifying otherwise.
    # proxy_headers off: a node believes no X-Forwarded-For (uvicorn trusts 127.0.0.1 by default)
    uvicorn.run(
        create_node_app(ctx),
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )


def main(argv: list[str] | None = None) -> None:
    """``python -m tsunagu.mesh.node``: the node without loading the whole command line tool."""
    parser = argparse.ArgumentParser(prog="python -m tsunagu.mesh.node", description=main.__doc__)
    parser.add_argument("--org", required=True, help="organization code this node serves")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    serve(args.org, args.host, args.port)
