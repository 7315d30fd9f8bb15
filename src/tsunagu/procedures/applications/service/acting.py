"""Whom a business principal acts for: the mesh and inbox subject of its applications.

A corporation's subject is ``corporation:<法人番号>``; a sole proprietor (個人事業主), who has no
法人番号, is ``sole-proprietor:<account>`` — the person acting is recorded as the applicant.
"""

from __future__ import annotations

from tsunagu.core.sessions import Principal
from tsunagu.identity.business import service as accounts
from tsunagu.mesh import corporate


def business_subject(principal: Principal) -> str:
    """The subject a business principal's applications, お知らせ and records belong to."""
    if accounts.is_sole_proprietor(principal):
        return accounts.sole_proprietor_subject(principal.organization_code or "")
    return corporate.subject_of(principal.organization_code or "")
