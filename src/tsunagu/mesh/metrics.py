"""Per-service Prometheus metrics of the mesh (default registry, shown at ``/metrics``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import structlog
from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "tsunagu_mesh_requests_total", "Mesh exchanges handled", ["organization", "role", "service", "result"]
)
DENIALS = Counter(
    "tsunagu_mesh_denials_total", "Mesh exchanges refused", ["organization", "role", "service", "code"]
)
LATENCY = Histogram(
    "tsunagu_mesh_request_duration_seconds",
    "Mesh exchange latency",
    ["organization", "role", "service"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0),
)
PUSH = Counter("tsunagu_mesh_push_total", "Push deliveries attempted", ["provider", "result"])

DISK_FREE = Gauge(
    "tsunagu_mesh_log_disk_free_ratio",
    "Free share of the disk holding the mesh log or its archive (alert before it fills)",
    ["path"],
)
_log = structlog.get_logger(__name__)
_watched: set[str] = set()


def watch_disk(path: Path, free_ratio: Callable[[Path], float], alarm_below: float) -> None:
    """Report the disk's free share at every scrape, and log a warning below ``alarm_below``."""
    if str(path) in _watched:
        return
    _watched.add(str(path))

    def read() -> float:
        ratio = free_ratio(path)
        if ratio < alarm_below:
            _log.warning(
                "mesh log disk nearly full",
                path=str(path),
                free_ratio=round(ratio, 4),
                alarm_below=alarm_below,
            )
        return ratio

    DISK_FREE.labels(str(path)).set_function(read)
