"""The demo's synthetic subsidies and procurement: made in the documented layouts, imported through
the import use case, marked 合成データ（デモ用）, and shown on the demo companies' pages."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from tsunagu.core.database import Database
from tsunagu.procedures.corpinfo import service
from tsunagu.registry.corporations import service as corporations


def _companies(database: Database) -> list[corporations.CorporationRecord]:
    with database.session() as db:
        corporations.load_synthetic(db, 60, 3)
        corporations.seed_commercial(db, 3)
        companies, _total = corporations.search(db, closed=False, limit=500)
    return companies


def test_every_represented_demo_company_gets_records_marked_synthetic(
    database: Database, client: TestClient
) -> None:
    companies = _companies(database)
    with database.session() as db:
        seeded = service.seed_demo_awards(db, 1)
        assert seeded is not None
        subsidies, procurements = seeded
        assert subsidies.created >= service.ALWAYS and procurements.created >= service.ALWAYS
        for company in companies[: service.ALWAYS]:  # the demo's represented companies
            found = service.activity(db, company.number, {})
            assert found.subsidies and found.procurements, company.name
            assert {r.source for r in found.subsidies + found.procurements} == {service.SYNTHETIC_SOURCE}
            assert all(r.amount_yen and r.amount_yen % 1000 == 0 for r in found.subsidies)
        # about a third of the rest, not every company
        rest = [service.awards(db, "subsidies", c.number)[1] for c in companies[service.ALWAYS :]]
        assert 0 < sum(1 for n in rest if n) < len(rest)
        assert service.seed_demo_awards(db, 1, only_if_empty=True) is None  # tsunagu demo keeps them
        again = service.seed_demo_awards(db, 1)  # a second run replaces, never doubles
        assert again is not None and again[0].created == 0 and again[0].replaced == subsidies.created

    page = html.unescape(client.get(f"/corporate-info/{companies[0].number}").text)
    assert "記録されている補助金はありません" not in page and "記録されている調達はありません" not in page
    assert "出典: 合成データ（デモ用）" in page
    assert "中小企業庁" in page or "厚生労働省" in page or "資源エネルギー庁" in page
    assert "交付決定額" in page and "円" in page
