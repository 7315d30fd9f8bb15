"""Per-service Prometheus metrics of the mesh (default registry, shown at ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter("tsunagu_mesh_requests_total", "Mesh exchanges handled",
                   ["organization", "role", "service", "result"])
DENIALS = Counter("tsunagu_mesh_denials_total", "Mesh exchanges refused",
                  ["organization", "role", "service", "code"])
LATENCY = Histogram("tsunagu_mesh_request_duration_seconds", "Mesh exchange latency",
                    ["organization", "role", "service"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0))
PUSH = Counter("tsunagu_mesh_push_total", "Push deliveries attempted", ["provider", "result"])
