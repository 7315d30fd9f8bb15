"""The ASGI application for servers (``uvicorn tsunagu.web.asgi:app``), configured by environment."""

from tsunagu.web.app import create_app

app = create_app()
