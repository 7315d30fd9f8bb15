"""SMS number confirmation (確認コード): before any お知らせ goes to a mobile number, a six-digit code is
sent through the SMS provider interface (the local test provider, which refuses and throttles as a
real one does) and typed back; a code works for 10 minutes and 5 wrong tries, once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.notify.test_delivery import LINKS, PERSON, _channel, _deliver, _deliveries, _name

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.notify import channels, dispatch
from tsunagu.notify.models import NotifyTestSms
from tsunagu.notify.senders import TestSmsProvider


def _send_codes(database: Database) -> str:
    """Run the delivery worker with the test SMS provider; the last code a phone received."""
    dispatch.run_once(database, {"sms": TestSmsProvider(database)}, _name, LINKS)
    with database.session() as db:
        body = db.scalars(select(NotifyTestSms.body).order_by(NotifyTestSms.id.desc())).first()
    found = re.search(r"確認コード (\d{6})", body or "")
    assert found, body
    assert "佐藤" not in (body or "") and "千代田区" not in (body or "")  # nothing about the person
    return found.group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_nothing_goes_to_a_number_until_its_code_is_typed(
    database: Database, fixed_clock: clock.FixedClock
) -> None:
    channel = _channel(database, "sms", "090-2222-3333")
    _deliver(database)
    assert _deliveries(database) == []  # not queued for an unconfirmed number
    code = _send_codes(database)
    with database.session() as db:
        wide = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        checked = channels.confirm_code(
            db, PERSON, channel.id, wide[:3] + " " + wide[3:]
        )  # as typed on a phone
    assert checked.channel is not None and checked.channel.status == "active"
    with database.session() as db:  # a code works once
        again = channels.confirm_code(db, PERSON, channel.id, code)
    assert again.channel is None and "待っていません" in again.problem
    _deliver(database)
    assert [d.status for d in _deliveries(database)] == ["pending"]


def test_a_code_expires_after_ten_minutes_and_a_new_one_works(
    database: Database, fixed_clock: clock.FixedClock
) -> None:
    channel = _channel(database, "sms", "08033334444")
    code = _send_codes(database)
    fixed_clock.advance(timedelta(minutes=10, seconds=1))
    with database.session() as db:
        late = channels.confirm_code(db, PERSON, channel.id, code)
    assert late.channel is None and "有効期限" in late.problem
    with database.session() as db:
        channels.resend_confirmation(db, PERSON, channel.id)
    fresh = _send_codes(database)
    with database.session() as db:
        assert channels.confirm_code(db, PERSON, channel.id, fresh).channel is not None


def test_five_wrong_codes_stop_the_code_and_resending_is_limited(
    database: Database, fixed_clock: clock.FixedClock
) -> None:
    channel = _channel(database, "sms", "07044445555")
    code = _send_codes(database)
    remaining = []
    for _ in range(channels.CODE_ATTEMPTS):
        with database.session() as db:  # each try in its own request: the count is kept
            remaining.append(channels.confirm_code(db, PERSON, channel.id, _wrong(code)).remaining)
    assert remaining == [4, 3, 2, 1, 0]
    with database.session() as db:
        locked = channels.confirm_code(db, PERSON, channel.id, code)  # even the right one now
    assert locked.channel is None and "5回まちがえた" in locked.problem
    with database.session() as db:
        channels.resend_confirmation(db, PERSON, channel.id)  # 2nd code this hour
        channels.resend_confirmation(db, PERSON, channel.id)  # 3rd
    newest = _send_codes(database)
    with database.session() as db, pytest.raises(channels.ConfirmationTooOften):
        channels.resend_confirmation(db, PERSON, channel.id)  # a 4th within the hour
    with database.session() as db:
        assert channels.confirm_code(db, PERSON, channel.id, newest).channel is not None
