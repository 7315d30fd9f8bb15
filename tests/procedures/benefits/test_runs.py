"""給付金の支給: eligibility on the reference date, the 全銀 file read back field by field, nobody
paid twice, refused accounts never in a file, returned transfers reconciled."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from tests.registry.accounts.conftest import HONTEN, MIZUHO, MUFG, TOKYO_EIGYOBU
from tests.registry.residents.conftest import CHIYODA

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import Forbidden
from tsunagu.core.progress import SilentProgress
from tsunagu.core.sessions import Principal
from tsunagu.notify import service as notify
from tsunagu.procedures.benefits import definition, service, zengin
from tsunagu.procedures.benefits.models import BenefitsPayment
from tsunagu.registry.accounts import service as accounts
from tsunagu.registry.accounts import testbank

from .conftest import ADMIN, REFERENCE, RUN_YAML, TRANSFER


def _run() -> definition.BenefitRun:
    return definition.parse_run(Path("run.yaml"), RUN_YAML)


def _execute(
    database: Database,
    run: definition.BenefitRun | None = None,
    principal: Principal = ADMIN,
    *,
    newline: bool = True,
) -> tuple[service.RunReport, bytes]:
    out = io.BytesIO()
    with database.session() as db:
        report = service.execute(
            db,
            principal,
            run or _run(),
            reference_date=REFERENCE,
            transfer_date=TRANSFER,
            out=out,
            progress=SilentProgress(),
            newline=newline,
        )
    return report, out.getvalue()


def test_the_file_reads_back_field_by_field_and_its_trailer_matches_the_run(
    database: Database, people: dict[str, str]
) -> None:
    report, data = _execute(database)
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) == zengin.RECORD_BYTES for line in lines[:-1])
    header, *transfers, trailer, end = zengin.read(data)
    assert header == {
        "record_type": "1",
        "kind_code": "21",
        "code_type": "0",
        "consignor_code": "1310160001",
        "consignor_name": "ﾁﾖﾀﾞｸ",
        "transfer_date": "1210",
        "bank_code": "0001",
        "bank_name": "ﾐｽﾞﾎ",
        "branch_code": "001",
        "branch_name": "ﾄｳｷﾖｳ",
        "account_type": "1",
        "account_number": "7654321",
        "dummy": "",
    }
    assert sorted(
        (
            t["bank_code"],
            t["branch_code"],
            t["account_type"],
            t["account_number"],
            t["payee_name"],
            t["amount"],
            t["new_code"],
            t["transfer_kind"],
        )
        for t in transfers
    ) == [
        (MIZUHO, TOKYO_EIGYOBU, "1", "1234567", "ｻﾄｳ ﾊﾅｺ", "0000030000", "0", "7"),
        (MUFG, HONTEN, "1", "0007654", "ｽｽﾞｷ ｲﾁﾛｳ", "0000030000", "0", "7"),
    ]
    assert sorted(t["customer_code_1"] for t in transfers) == ["0000000001", "0000000002"]
    assert trailer == {
        "record_type": "8",
        "count": f"{report.transferred:06d}",
        "total": f"{report.total_yen:012d}",
        "dummy": "",
    }
    assert (report.transferred, report.total_yen) == (2, 60_000) == (len(transfers), 30_000 * len(transfers))
    assert end == {"record_type": "9", "dummy": ""}
    assert (report.eligible, report.without_account) == (3, 1)  # the child and 三郎 (moved in later) are not
    # half-width katakana are single bytes of JIS X 0201 (0xA1–0xDF), as banks read them
    assert "ｻﾄｳ ﾊﾅｺ".encode("cp932") == bytes([0xBB, 0xC4, 0xB3, 0x20, 0xCA, 0xC5, 0xBA])
    with database.session() as db:
        assert service.totals(db, "chiyoda-test-2026") == service.Totals(2, 60_000, 0, 0, 1)


def test_a_file_without_separators_is_the_same_records(database: Database, people: dict[str, str]) -> None:
    _, data = _execute(database, newline=False)
    assert len(data) == 5 * zengin.RECORD_BYTES and b"\r" not in data and b"\n" not in data


def test_an_account_that_failed_verification_never_appears_in_a_file(
    database: Database, people: dict[str, str]
) -> None:
    _, data = _execute(database)
    transfers = [r for r in zengin.read(data) if r["record_type"] == "2"]
    assert len(transfers) == 2 and not [
        t for t in transfers if t["account_number"] == "0000001" or t["payee_name"].startswith("ﾀﾅｶ")
    ]
    assert "ﾀﾅｶ".encode("cp932") not in data
    with database.session() as db:
        inbox, _ = notify.inbox(db, people["jiro"])
        assert [m.link for m in inbox] == [service.ACCOUNT_PAGE] and "公金受取口座の登録" in inbox[0].title
        (paid,) = notify.inbox(db, people["hanako"])[0]  # the paid are told when, not asked anything
        assert paid.title == "テスト給付金をお振込みします" and "令和8年12月10日に" in paid.body


def test_executing_the_run_again_pays_nobody_twice(database: Database, people: dict[str, str]) -> None:
    _execute(database)
    again, data = _execute(database)
    assert (again.batch, again.transferred, again.already_transferred, again.newly_without_account) == (
        2,
        0,
        2,
        0,
    )
    assert [r["record_type"] for r in zengin.read(data)] == ["1", "8", "9"]
    with database.session() as db:  # 次郎 registers his own account: the next execution pays only him
        accounts.register(
            db,
            testbank.TestBank(database),
            people["jiro"],
            accounts.AccountIn(MUFG, HONTEN, "futsu", "0000002"),
        )
        assert len(notify.inbox(db, people["jiro"])[0]) == 1  # told once, not at every execution
    third, data = _execute(database)
    transfers = [r for r in zengin.read(data) if r["record_type"] == "2"]
    assert [(t["payee_name"], t["customer_code_1"]) for t in transfers] == [("ﾀﾅｶ ｼﾞﾛｳ", "0000000003")]
    assert (third.transferred, third.without_account) == (1, 0)
    with database.session() as db:
        assert service.totals(db, "chiyoda-test-2026") == service.Totals(3, 90_000, 0, 0, 0)
        with pytest.raises(IntegrityError):  # the database itself refuses a second row for a person
            db.execute(
                insert(BenefitsPayment),
                [
                    {
                        "run_id": "chiyoda-test-2026",
                        "resident_id": people["hanako"],
                        "status": "transferred",
                        "amount_yen": 1,
                        "updated_at": clock.now(),
                    }
                ],
            )


def test_a_run_keeps_its_reference_date(database: Database, people: dict[str, str]) -> None:
    _execute(database)
    with database.session() as db, pytest.raises(service.ReferenceDateChanged):
        service.execute(
            db,
            ADMIN,
            _run(),
            reference_date=date(2026, 10, 1),
            transfer_date=TRANSFER,
            out=io.BytesIO(),
            progress=SilentProgress(),
        )


@pytest.mark.parametrize(
    "principal",
    [
        Principal(kind="staff", subject_id="s", organization_code=CHIYODA, roles=frozenset({"審査", "住基"})),
        Principal(kind="staff", subject_id="s", organization_code="142018", roles=frozenset({"管理"})),
        Principal(kind="resident", subject_id="r"),
    ],
)
def test_only_the_paying_organizations_administrators_execute_it(
    database: Database, people: dict[str, str], principal: Principal
) -> None:
    with pytest.raises(Forbidden):
        _execute(database, principal=principal)
    with database.session() as db:
        assert service.totals(db, "chiyoda-test-2026") == service.Totals(0, 0, 0, 0, 0)


def test_returned_transfers_are_failed_told_and_taken_off_the_totals(
    database: Database, people: dict[str, str]
) -> None:
    _, data = _execute(database)
    hanako = next(r for r in zengin.read(data) if r.get("payee_name") == "ｻﾄｳ ﾊﾅｺ")
    lines = service.parse_returns(f"record_number,reason\n{int(hanako['customer_code_1'])},closed\n")
    with database.session() as db:
        assert service.import_returns(db, ADMIN, _run(), lines) == 1
    with database.session() as db:
        assert service.import_returns(db, ADMIN, _run(), lines) == 0  # the same list again changes nothing
        totals = service.totals(db, "chiyoda-test-2026")
        assert (totals.paid, totals.paid_yen, totals.returned, totals.returned_yen) == (1, 30_000, 1, 30_000)
        told = [m for m in notify.inbox(db, people["hanako"])[0] if "できませんでした" in m.title]
        assert len(told) == 1 and "解約済" in told[0].body and told[0].link == service.ACCOUNT_PAGE
    again, _ = _execute(database)
    assert again.transferred == 0  # a returned transfer is not sent again by a re-run


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("number,why\n1,closed\n", "header"),
        ("record_number,reason\nx,closed\n", "line 2"),
        ("record_number,reason\n1,lost\n", "unknown reason"),
    ],
)
def test_a_bad_return_list_is_refused_by_line(text: str, message: str) -> None:
    with pytest.raises(service.ReturnListInvalid) as refused:
        service.parse_returns(text)
    assert message in str(refused.value) + str(refused.value.errors)


def test_a_return_for_a_record_not_in_the_run_changes_nothing(
    database: Database, people: dict[str, str]
) -> None:
    _execute(database)
    lines = service.parse_returns("record_number,reason\n1,closed\n99,other\n")
    with database.session() as db, pytest.raises(service.ReturnListInvalid, match="99"):
        service.import_returns(db, ADMIN, _run(), lines)
    with database.session() as db:
        assert service.totals(db, "chiyoda-test-2026").returned == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("{attribute: age, op: gte, value: 18}", "{attribute: children_in_care, op: gte, value: 1}"),
            "children_in_care",
        ),
        (("{attribute: age, op: gte, value: 18}", "{attribute: income, op: gte, value: 1}"), "unknown"),
        (('bank_code: "0001"', 'bank_code: "0001x"'), "bank_code"),
        (('branch_code: "001"', 'branch_code: "999"'), "no such bank and branch"),
        (("amount_yen: 30000", "amount_yen: -5"), "amount_yen"),
        (("name_kana: ﾁﾖﾀﾞｸ", "name_kana: 千代田区"), "name_kana"),
    ],
)
def test_a_bad_run_file_is_refused_at_its_line(change: tuple[str, str], message: str) -> None:
    with pytest.raises(definition.BenefitRunInvalid) as refused:
        definition.parse_run(Path("run.yaml"), RUN_YAML.replace(*change))
    assert message in str(refused.value) and "run.yaml:" in str(refused.value)


def test_the_shipped_run_files_are_valid() -> None:
    folder = Path(definition.__file__).parent / "runs"
    runs = [definition.load_run(path) for path in sorted(folder.glob("*.yaml"))]
    assert runs and all(run.payer.bank_code for run in runs)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"payee_name": "佐藤"}, "JIS X 0201"),
        ({"payee_name": "ｱ" * 31}, "longer than 30"),
        ({"account_number": "12345678"}, "longer than 7"),
        ({"account_number": "12a"}, "digits"),
    ],
)
def test_a_value_that_does_not_fit_its_field_is_refused(values: dict[str, str], message: str) -> None:
    with pytest.raises(zengin.ZenginError, match=message):
        zengin.record(zengin.DATA, {"record_type": "2", **values})
