"""Checking a running system's linkage API (連携要件) with schemathesis: every operation of the
requirement set's OpenAPI document is called with generated valid and invalid requests, and the
answers are checked for server errors, documented status codes and content types, response
schemas, and that invalid data is refused. Only loopback addresses are called.

Schemathesis runs as its own command (``schemathesis run``): its JUnit report is read back into
our findings, so the API check reports like the data check."""

from __future__ import annotations

import ipaddress
import socket
import subprocess  # runs the pinned schemathesis command of this environment
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from tsunagu.conformance.findings import Finding, Findings, Report
from tsunagu.conformance.requirements import LinkageApi, RequirementSet, Text
from tsunagu.core.errors import ValidationFailed

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)


class BaseUrlRefused(ValidationFailed):
    code = "conformance-base-url-refused"
    title = "Base URL refused"


class ApiCheckFailed(ValidationFailed):
    code = "conformance-api-check-failed"
    title = "API check could not run"


def require_loopback(base_url: str) -> str:
    """The URL if its host is a loopback address (127.0.0.0/8, ::1); anything else is refused."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BaseUrlRefused(f"{base_url!r} is not an http(s) URL")
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, parts.port or 80)}
    except socket.gaierror as error:
        raise BaseUrlRefused(f"{parts.hostname!r} does not resolve: {error.strerror}") from error
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise BaseUrlRefused(
            f"{parts.hostname!r} is not a loopback address; only loopback systems are checked"
        )
    return base_url.rstrip("/")


def _findings_of(junit: Path, api: LinkageApi, findings: Findings) -> int:
    """Read schemathesis' JUnit report; each failing operation is a MUST finding. Returns the cases run."""
    root = ET.parse(junit).getroot()  # noqa: S314 — a file schemathesis has just written
    cases = 0
    for case in root.iter("testcase"):
        cases += 1
        for failure in [*case.findall("failure"), *case.findall("error")]:
            text = " ".join((failure.text or failure.get("message") or "failed").split())
            first = text[:600]
            findings.add(
                Finding(
                    "api-conformance",
                    "MUST",
                    api.path.name,
                    api.id,
                    None,
                    case.get("name"),
                    None,
                    f"{case.get('name')}: 連携APIの要件を満たしません — {first}",
                    f"{case.get('name')}: does not meet the linkage requirement — {first}",
                ),
                Text("連携APIの不適合", "linkage API nonconformance"),
            )
    return cases


def check_api(
    requirements: RequirementSet,
    base_url: str,
    *,
    api_id: str | None = None,
    headers: tuple[str, ...] = (),
    max_examples: int = 20,
    seed: int = 1,
) -> Report:
    """Run schemathesis against ``base_url`` for each linkage API of the set (or the one named)."""
    base = require_loopback(base_url)
    apis = [a for a in requirements.apis if api_id in (None, a.id)]
    if not apis:
        raise ApiCheckFailed(f"the requirement set has no linkage API {api_id!r}")
    started = time.perf_counter()
    findings = Findings()
    rows: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="tsunagu-api-check-") as folder:
        for api in apis:
            junit = Path(folder) / f"{api.id}.xml"
            command = [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                str(api.path),
                "--url",
                base,
                "--checks",
                ",".join(CHECKS),
                "--max-examples",
                str(max_examples),
                "--seed",
                str(seed),
                "--report",
                "junit",
                "--report-junit-path",
                str(junit),
                "--no-color",
            ]
            for header in headers:
                command += ["--header", header]
            done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)  # noqa: S603
            if not junit.exists():
                raise ApiCheckFailed(
                    f"schemathesis did not run ({done.returncode}): "
                    f"{(done.stderr or done.stdout).strip()[-500:]}"
                )
            rows[api.path.name] = _findings_of(junit, api, findings)
    return Report(
        f"{requirements.key}#api",
        Text(
            "連携API(" + ", ".join(a.title.ja for a in apis) + ")",
            "Linkage API (" + ", ".join(a.title.en for a in apis) + ")",
        ),
        [base],
        rows,
        findings,
        time.perf_counter() - started,
    )
