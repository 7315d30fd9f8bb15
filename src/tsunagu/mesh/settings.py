"""Mesh settings (``TSUNAGU_MESH_*``): ``Settings.mesh``, read with the others and passed in by
the entry points (the app, the CLI, the node runner); no mesh code reads the process's settings."""

from __future__ import annotations

from tsunagu.core.settings import MeshSettings

__all__ = ["MeshSettings"]
