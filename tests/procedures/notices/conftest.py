"""The applying world (two municipalities, residents, the demo mesh) for signed documents."""

from tests.procedures.applying.conftest import resident_client, world  # noqa: F401
