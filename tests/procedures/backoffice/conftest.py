"""The applying world (two municipalities, residents, the demo mesh) for signed documents."""

from tests.procedures.applying.conftest import _secret, resident_client, world  # noqa: F401
