"""Check an application's values against its definition's fields (standard data types).

Messages are Japanese gettext ids with parameters, so pages show them in the user's language
next to the field and the API returns the same id and an English text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, timedelta
from typing import Any

from tsunagu.core import clock
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.types.base import InvalidValue
from tsunagu.core.types.corporate_number import CorporateNumber
from tsunagu.core.types.name import PersonName
from tsunagu.core.types.phone import PhoneNumber
from tsunagu.core.types.postcode import Postcode
from tsunagu.core.types.text import first_character_outside_jis
from tsunagu.core.types.wareki import format_wareki, parse_date
from tsunagu.procedures.definition import DayWindow, FormField, Procedure, RequiredIf
from tsunagu.registry.accounts import service as accounts

NAME_PARTS = ("family", "given", "family_kana", "given_kana")
ADDRESS_MAX = 200
# the types an upload may be, as recognised from its bytes (applications.attachments.sniff)
FILE_TYPES = ("application/pdf", "image/png", "image/jpeg")

NOT_SERVED = (
    "転入先の市区町村は、まだオンラインの転入予約に対応していません。"
    "転出届だけを出すか、窓口でお手続きください。"
)
#: a date is read as people write it: 令和8年4月1日, 2026年4月1日, R8.4.1, 2026-04-01, in full-width too
DATE_FORMAT = "日付を 令和8年4月1日 または 2026-04-01 のように入力してください。"
OUTSIDE_JIS = "「%(character)s」（%(codepoint)s）は使えない文字です。標準の字形で入力してください。"

#: field types answered by choosing (radio buttons, a household's check boxes), not by typing
CHOSEN = frozenset({"choice", "household_members"})

# message id → English (the API's ``message``; pages translate the id with gettext)
MESSAGES: dict[str, str] = {
    "入力してください。": "This is required.",
    "選択してください。": "Choose one.",
    accounts.NO_SUCH_BANK: "No bank has this bank code.",
    accounts.NO_SUCH_BRANCH: "This bank has no branch with this branch code.",
    DATE_FORMAT: "Enter a date like 令和8年4月1日 or 2026-04-01.",
    "氏名とふりがなをすべて入力してください。": "Enter the full name and its reading in kana.",
    "ふりがなはひらがなかカタカナで入力してください。": "Write the reading in hiragana or katakana.",
    "電話番号の形式が正しくありません。": "This is not a valid telephone number.",
    "郵便番号は7桁の数字で入力してください。": "Enter a 7-digit postcode.",
    "法人番号が正しくありません。": "This is not a valid corporate number.",
    "選択肢から選んでください。": "Choose one of the options.",
    "整数で入力してください。": "Enter a whole number.",
    "%(minimum)d 以上の数を入力してください。": "Enter %(minimum)d or more.",
    "%(maximum)d 以下の数を入力してください。": "Enter %(maximum)d or less.",
    "%(limit)d 文字以内で入力してください。": "Use at most %(limit)d characters.",
    "形式が正しくありません。": "The format is not valid.",
    "ファイルが大きすぎます（上限 %(limit)s バイト）。": "The file is too large (limit %(limit)s bytes).",
    "このファイル形式は受け付けられません（%(allowed)s のみ）。": (
        "This file type is not accepted (only %(allowed)s)."
    ),
    "この項目はこの手続にありません。": "This field is not part of this procedure.",
    "この項目は修正を求められていません。": "This field was not asked to be corrected.",
    "%(earliest_ja)s 以降の日付を入力してください。": "Enter a date on or after %(earliest)s.",
    "%(latest_ja)s 以前の日付を入力してください。": "Enter a date on or before %(latest)s.",
    "%(earliest_ja)s から %(latest_ja)s までの日付を入力してください。": (
        "Enter a date from %(earliest)s to %(latest)s."
    ),
    "世帯の方から選んでください。": "Choose from the members of your household.",
    "転入先の市区町村が見つかりません。": "The new municipality could not be found.",
    NOT_SERVED: (
        "Your new municipality does not take moving-in reservations online yet. Notify only your moving "
        "out, or go to its counter."
    ),
    OUTSIDE_JIS: (
        "The character “%(character)s” (%(codepoint)s) cannot be used; write it in its standard form."
    ),
    "世帯主が転出し、残る方が複数いるときは、新しい世帯主を選んでください。": (
        "The head of the household is moving and more than one member stays: choose the new head."
    ),
    "新しい世帯主には、転出しない方を選んでください。": "Choose someone who is not moving as the new head.",
}


@dataclass(frozen=True)
class FieldError:
    field: str
    message_id: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    @property
    def english(self) -> str:
        return MESSAGES[self.message_id] % self.params if self.params else MESSAGES[self.message_id]


class InvalidApplication(ValidationFailed):
    code = "application-invalid"
    title = "The application has invalid or missing fields"

    def __init__(self, problems: list[FieldError]) -> None:
        super().__init__(
            f"{len(problems)} field(s) need attention",
            errors=[
                {
                    "location": ["body", "data", p.field],
                    "message": p.english,
                    "message_id": p.message_id,
                    "type": "application-field",
                }
                for p in problems
            ],
        )
        self.problems = problems


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content_type: str
    size: int
    sha256: str


def clean(procedure: Procedure, values: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Canonical values of every field, or :class:`InvalidApplication` listing every problem."""
    problems = [
        FieldError(name, "この項目はこの手続にありません。")
        for name in values
        if procedure.field(name) is None
    ]
    cleaned: dict[str, Any] = {}
    for form_field in procedure.fields:
        raw = values.get(form_field.name)
        if form_field.required_if is not None and not _required(form_field, values):
            continue  # it applies only with another answer (the members, when only some move)
        if _blank(raw):
            if _required(form_field, values) and not partial and form_field.type != "boolean":
                # a set of options is chosen, not typed: the radio group says so
                asked = "選択してください。" if form_field.type in CHOSEN else "入力してください。"
                problems.append(FieldError(form_field.name, asked))
            elif form_field.type == "boolean":
                cleaned[form_field.name] = False
            continue
        try:
            cleaned[form_field.name] = _value(form_field, raw)
        except _Problem as problem:
            problems.append(FieldError(form_field.name, problem.message_id, problem.params))
    problems += _date_rules(procedure, cleaned, clock.today_jst().date())
    problems += _bank_codes(cleaned)
    if problems:
        raise InvalidApplication(problems)
    return cleaned


def _bank_codes(cleaned: Mapping[str, Any]) -> list[FieldError]:
    """An account's 金融機関コード and 支店コード checked against the 全銀協 code list (a typo is
    named at its field, not found by the bank weeks later when the transfer comes back)."""
    bank, branch = cleaned.get("bank_code"), cleaned.get("branch_code")
    if not isinstance(bank, str):
        return []
    if accounts.bank_name(bank) is None:
        return [FieldError("bank_code", accounts.NO_SUCH_BANK)]
    if isinstance(branch, str) and accounts.branch_name(bank, branch) is None:
        return [FieldError("branch_code", accounts.NO_SUCH_BRANCH)]
    return []


BETWEEN = "%(earliest_ja)s から %(latest_ja)s までの日付を入力してください。"


def _bounds(**days: date) -> dict[str, str]:
    """A window's ends for its message: ISO for the English text, 和暦 (``*_ja``) for the Japanese one."""
    shown: dict[str, str] = {}
    for name, day in days.items():
        try:
            japanese = format_wareki(day)
        except InvalidValue:  # before 明治6年 no 和暦 date is written
            japanese = f"{day.year}年{day.month}月{day.day}日"
        shown |= {name: day.isoformat(), f"{name}_ja": japanese}
    return shown


def applies(condition: RequiredIf | None, values: Mapping[str, Any]) -> bool:
    """Whether a field with ``required_if`` applies to these answers (always without one)."""
    return condition is None or str(values.get(condition.field, "")) == condition.equals


def _required(form_field: FormField, values: Mapping[str, Any]) -> bool:
    if form_field.required_if is None:
        return form_field.required
    return applies(form_field.required_if, values)


def _date_rules(procedure: Procedure, cleaned: Mapping[str, Any], today: date) -> list[FieldError]:
    """Each date field against its window (YAML ``dates``): around today and another field."""
    problems: list[FieldError] = []
    for form_field in procedure.fields:
        rule, value = form_field.dates, cleaned.get(form_field.name)
        if rule is None or not isinstance(value, str):
            continue
        bounds: list[tuple[date | None, date | None]] = []
        if rule.from_today is not None:
            bounds.append(_window(today, rule.from_today))
        other = rule.from_field and cleaned.get(rule.from_field.field)
        if rule.from_field is not None and isinstance(other, str):
            bounds.append(_window(date.fromisoformat(other), rule.from_field))
        earliest = max((b[0] for b in bounds if b[0] is not None), default=None)
        latest = min((b[1] for b in bounds if b[1] is not None), default=None)
        day = date.fromisoformat(value)
        if (earliest is None or day >= earliest) and (latest is None or day <= latest):
            continue
        if earliest is not None and latest is not None:
            problems.append(FieldError(form_field.name, BETWEEN, _bounds(earliest=earliest, latest=latest)))
        elif earliest is not None:
            problems.append(
                FieldError(
                    form_field.name,
                    "%(earliest_ja)s 以降の日付を入力してください。",
                    _bounds(earliest=earliest),
                )
            )
        else:
            assert latest is not None
            problems.append(
                FieldError(
                    form_field.name,
                    "%(latest_ja)s 以前の日付を入力してください。",
                    _bounds(latest=latest),
                )
            )
    return problems


def _window(origin: date, window: DayWindow) -> tuple[date | None, date | None]:
    return (
        None if window.min_days is None else origin + timedelta(days=window.min_days),
        None if window.max_days is None else origin + timedelta(days=window.max_days),
    )


class _Problem(Exception):
    def __init__(self, message_id: str, **params: Any) -> None:
        super().__init__(message_id)
        self.message_id, self.params = message_id, params


def _blank(raw: Any) -> bool:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return True
    if isinstance(raw, list | tuple):
        return all(_blank(v) for v in raw)  # no member chosen
    return isinstance(raw, dict) and all(_blank(v) for v in raw.values())


def _value(form_field: FormField, raw: Any) -> Any:
    kind = form_field.type
    if kind == "person_name":
        return _name(raw)
    if kind == "address":
        text = str(raw.get("text", "") if isinstance(raw, dict) else raw).strip()
        if len(text) > ADDRESS_MAX:
            raise _Problem("%(limit)d 文字以内で入力してください。", limit=ADDRESS_MAX)
        return {"text": _jis(text)}
    if kind in ("date", "wareki_date"):
        return _date(raw).isoformat()
    if kind in _TYPED:
        return str(_typed(*_TYPED[kind], raw))
    if kind == "choice":
        if str(raw) not in {o.value for o in form_field.options}:
            raise _Problem("選択肢から選んでください。")
        return str(raw)
    if kind == "integer":
        return _integer(form_field, raw)
    if kind == "boolean":
        return raw is True or str(raw).lower() in ("true", "on", "1", "yes")
    if kind == "file":
        return _file(form_field, raw)
    if kind in ("household_members", "household_member"):
        return _members(raw) if kind == "household_members" else _member(raw)
    return _text(form_field, raw)


_MEMBER = re.compile(r"[0-9a-f]{32}")


def _jis(text: str) -> str:
    """文字情報基盤: free text must stay within JIS X 0213; the first character outside is named."""
    index = first_character_outside_jis(text)
    if index is not None:
        raise _Problem(OUTSIDE_JIS, character=text[index], codepoint=f"U+{ord(text[index]):04X}")
    return text


# standard types parsed by their class, with the message shown when they do not parse
_TYPED: dict[str, tuple[type, str]] = {
    "phone": (PhoneNumber, "電話番号の形式が正しくありません。"),
    "postcode": (Postcode, "郵便番号は7桁の数字で入力してください。"),
    "corporate_number": (CorporateNumber, "法人番号が正しくありません。"),
}


def _members(raw: Any) -> list[str]:
    chosen = raw if isinstance(raw, list | tuple) else [raw]
    return [_member(item) for item in dict.fromkeys(str(item) for item in chosen if not _blank(item))]


def _member(raw: Any) -> str:
    """A member of the applicant's 世帯 as the form offers them (checked against the register later)."""
    text = str(raw).strip()
    if not _MEMBER.fullmatch(text):
        raise _Problem("世帯の方から選んでください。")
    return text


def _name(raw: Any) -> dict[str, str]:
    parts = raw if isinstance(raw, dict) else {}
    if any(_blank(parts.get(p)) for p in NAME_PARTS):
        raise _Problem("氏名とふりがなをすべて入力してください。")
    for part in NAME_PARTS:
        _jis(str(parts[part]))
    try:
        name = PersonName(*(str(parts[p]) for p in NAME_PARTS))
    except InvalidValue as exc:
        raise _Problem(
            "ふりがなはひらがなかカタカナで入力してください。"
            if "kana" in exc.field
            else "形式が正しくありません。"
        ) from None
    return {
        "family": name.family,
        "given": name.given,
        "family_kana": name.family_kana,
        "given_kana": name.given_kana,
    }


#: every date of an application lies from 明治元年 to this many years after today: a procedure's own
#: window (YAML ``dates``) narrows it; without one, 0001-01-01 or 9999-12-31 is still no date of a
#: life or a move (and the day arithmetic of the windows would overflow past 9999)
EARLIEST_DAY = date(1868, 1, 1)
YEARS_AHEAD = 50


def _date(raw: Any) -> date:
    try:
        day = parse_date(str(raw).strip())
    except (ValueError, InvalidValue):
        raise _Problem(DATE_FORMAT) from None
    latest = date(clock.today_jst().year + YEARS_AHEAD, 12, 31)
    if not EARLIEST_DAY <= day <= latest:
        raise _Problem(BETWEEN, **_bounds(earliest=EARLIEST_DAY, latest=latest))
    return day


def _typed(kind: type, message_id: str, raw: Any) -> object:
    try:
        return kind(str(raw).strip())
    except (ValueError, InvalidValue):
        raise _Problem(message_id) from None


def _integer(form_field: FormField, raw: Any) -> int:
    if isinstance(raw, bool):
        raise _Problem("整数で入力してください。")
    try:
        number = raw if isinstance(raw, int) else int(str(raw).strip())
    except ValueError:
        raise _Problem("整数で入力してください。") from None
    if form_field.minimum is not None and number < form_field.minimum:
        raise _Problem("%(minimum)d 以上の数を入力してください。", minimum=form_field.minimum)
    if form_field.maximum is not None and number > form_field.maximum:
        raise _Problem("%(maximum)d 以下の数を入力してください。", maximum=form_field.maximum)
    return number


def _text(form_field: FormField, raw: Any) -> str:
    text = str(raw).strip()
    if form_field.max_length is not None and len(text) > form_field.max_length:
        raise _Problem("%(limit)d 文字以内で入力してください。", limit=form_field.max_length)
    if form_field.pattern and not re.fullmatch(form_field.pattern, text):
        raise _Problem("形式が正しくありません。")
    return _jis(text)


def _file(form_field: FormField, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, UploadedFile):
        raise _Problem("形式が正しくありません。")
    if form_field.max_bytes is not None and raw.size > form_field.max_bytes:
        raise _Problem("ファイルが大きすぎます（上限 %(limit)s バイト）。", limit=f"{form_field.max_bytes:,}")
    allowed = form_field.content_types or FILE_TYPES
    if raw.content_type not in allowed:
        raise _Problem(
            "このファイル形式は受け付けられません（%(allowed)s のみ）。", allowed=", ".join(allowed)
        )
    return {
        "filename": raw.filename,
        "content_type": raw.content_type,
        "size": raw.size,
        "sha256": raw.sha256,
    }
