"""The steps of applying on the web, told to whoever counts them (the oversight part's anonymous
step funnel, wired in by the web layer as ``app.state.funnel_recorder``): the procedure and the
step, and the organization the application goes to when the page knows it (for the KPIs by
municipality) — never who, which application or what was entered."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

#: (procedure id, step, organization or "") — steps: started (the form shown), review (the review
#: shown), submitted
StepRecorder = Callable[[str, str, str], None]


def reached(request: Request, procedure_id: str, step: str, organization: str | None = "") -> None:
    recorder: StepRecorder | None = getattr(request.app.state, "funnel_recorder", None)
    if recorder is not None:
        recorder(procedure_id, step, organization or "")
