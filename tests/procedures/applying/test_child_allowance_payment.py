"""児童手当 paid to the registered account: the 公金受取口座 registered once, the 子育て bundle filed,
the 認定 decided by the municipality, the allowance run (chiyoda-2027-02-jido-teate) writing the
全銀協 総合振込 file with exactly that account once, and a returned transfer reconciled.

The byte layout is checked against the published format, not against the writer's own table:
全銀協制定ファイルフォーマット【総合振込】 as banks publish it (120-byte records in JIS, CRLF
optional; N right-aligned with 0, C left-aligned with spaces), with the column positions of the
header (1, 2-3, 4, 5-14, 15-54, 55-58, 59-62, 63-77, 78-80, 81-95, 96, 97-103, 104-120), data record
(1, 2-5, 6-20, 21-23, 24-38, 39-42, 43, 44-50, 51-80, 81-90, 91, 92-101, 102-111, 112, 113, 114-120),
trailer (1, 2-7, 8-19, 20-120) and end record (1, 2-120).
"""

from __future__ import annotations

import io
from datetime import date

from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import CHIYODA, World, register_child

from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.core.sessions import Principal
from tsunagu.notify import service as notify
from tsunagu.procedures.benefits import definition, service

RUN = definition.RUNS_DIR / "chiyoda-2027-02-jido-teate.yaml"
CLERK = World.staff(CHIYODA, frozenset({"審査", "決裁"}))
TREASURER = Principal(
    kind="staff", subject_id="staff-kaikei", organization_code=CHIYODA, roles=frozenset({"管理"})
)
REFERENCE, TRANSFER = date(2026, 11, 22), date(2027, 2, 15)

#: (1-based first column, last column) of each field, from the published 総合振込 tables
HEADER = {
    "data": (1, 1),
    "kind": (2, 3),
    "code": (4, 4),
    "consignor": (5, 14),
    "consignor_name": (15, 54),
    "date": (55, 58),
    "bank": (59, 62),
    "bank_name": (63, 77),
    "branch": (78, 80),
    "branch_name": (81, 95),
    "type": (96, 96),
    "number": (97, 103),
    "dummy": (104, 120),
}
DATA = {
    "data": (1, 1),
    "bank": (2, 5),
    "bank_name": (6, 20),
    "branch": (21, 23),
    "branch_name": (24, 38),
    "clearing": (39, 42),
    "type": (43, 43),
    "number": (44, 50),
    "payee": (51, 80),
    "amount": (81, 90),
    "new": (91, 91),
    "customer_1": (92, 101),
    "customer_2": (102, 111),
    "transfer_kind": (112, 112),
    "identifier": (113, 113),
    "dummy": (114, 120),
}
TRAILER = {"data": (1, 1), "count": (2, 7), "total": (8, 19), "dummy": (20, 120)}


def _cut(record: bytes, layout: dict[str, tuple[int, int]]) -> dict[str, str]:
    return {name: record[first - 1 : last].decode("shift_jis") for name, (first, last) in layout.items()}


def _allowance_decided(client: TestClient, database: Database, world: World) -> None:
    """The parent files the 子育て bundle; the municipality certifies the 児童手当 (審査, 決裁)."""
    filed = client.post(
        "/api/v1/procedures/kosodate",
        json={"parts": [], "answers": {"lives_with_child": True}},
        headers={"Idempotency-Key": "kosodate-pay-0001"},
    )
    assert filed.status_code == 200, filed.text
    (allowance,) = filed.json()["parts"]
    login_as(client, database, CLERK)
    decide = f"/api/v1/procedures/backoffice/applications/{allowance['application_id']}/decision"
    for action in ("start_review", "approve", "approve"):
        answered = client.post(decide, json={"action": action})
        assert answered.status_code == 200, answered.text
        if answered.json()["status"] == "approved":
            break
    assert answered.json()["status"] == "approved"
    login_as(client, database, world.resident())


def _pay(database: Database) -> tuple[service.RunReport, bytes]:
    out = io.BytesIO()
    with database.session() as db:
        report = service.execute(
            db,
            TREASURER,
            definition.load_run(RUN),
            reference_date=REFERENCE,
            transfer_date=TRANSFER,
            out=out,
            progress=SilentProgress(),
        )
    return report, out.getvalue()


def test_the_child_allowance_reaches_the_registered_account_once_and_a_return_is_reconciled(
    resident_client: TestClient, database: Database, world: World, public_money_account: object
) -> None:
    register_child(database, world, "陽菜", "ひな", date(2026, 11, 10), "456789012346")
    assert _pay(database)[0].eligible == 0  # no 認定 yet: nobody is paid on the register alone
    _allowance_decided(resident_client, database, world)

    report, data = _pay(database)
    assert (report.eligible, report.transferred, report.total_yen) == (1, 1, 30_000)
    records = data.split(b"\r\n")
    assert records[-1] == b"" and [len(r) for r in records[:-1]] == [120] * 4  # header, 1 transfer, 8, 9
    header, transfer, trailer, end = records[:-1]

    h = _cut(header, HEADER)
    assert (h["data"], h["kind"], h["code"], h["consignor"]) == ("1", "21", "0", "1310160002")
    assert h["consignor_name"] == "ﾁﾖﾀﾞｸ".ljust(40) and h["date"] == "0215"
    assert (h["bank"], h["branch"], h["type"], h["number"]) == ("0001", "001", "1", "7654321")
    assert h["bank_name"].rstrip() == "ﾐｽﾞﾎ" and h["dummy"] == " " * 17

    d = _cut(transfer, DATA)
    # exactly the registered 公金受取口座: 三菱ＵＦＪ銀行 本店 普通 0007654 ｻﾄｳ ﾊﾅｺ
    assert (d["data"], d["bank"], d["branch"], d["type"], d["number"]) == ("2", "0005", "001", "1", "0007654")
    assert d["bank_name"].startswith("ﾐﾂﾋﾞｼ") and d["branch_name"] == "ﾎﾝﾃﾝ".ljust(15)
    assert d["payee"] == "ｻﾄｳ ﾊﾅｺ".ljust(30)  # the 口座名義 the bank confirmed, half-width kana
    assert d["amount"] == "0000030000" and d["clearing"] == "0000" and d["new"] == "0"
    assert d["customer_1"] == "0000000001" and d["transfer_kind"] == "7" and d["dummy"] == " " * 7
    assert "ﾊﾅｺ".encode("shift_jis") in transfer and len("ﾊﾅｺ".encode("shift_jis")) == 3  # 1 byte each

    t = _cut(trailer, TRAILER)
    assert (t["data"], t["count"], t["total"]) == ("8", "000001", "000000030000")
    assert end == b"9" + b" " * 119

    again, second = _pay(database)  # the next execution of the run: nobody paid twice
    assert (again.transferred, again.already_transferred) == (0, 1)
    assert b"0007654" not in second

    # the bank returns the transfer (口座解約 since): reconciled, the parent told to check the account
    with database.session() as db:
        assert (
            service.import_returns(
                db,
                TREASURER,
                definition.load_run(RUN),
                service.parse_returns("record_number,reason\n1,closed\n"),
            )
            == 1
        )
    with database.session() as db:
        totals = service.totals(db, "chiyoda-2027-02-jido-teate")
        messages = notify.inbox(db, world.resident_id)[0]
    assert (totals.transferred, totals.returned, totals.paid_yen) == (1, 1, 0)
    assert any("お振込みできませんでした" in m.title and "解約済" in m.body for m in messages)
