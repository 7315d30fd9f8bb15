"""The staff forms of the 届出: which fields each shows, and form text → the API's ``…In`` models.

A form is checked by the same Pydantic model as the JSON API; its errors become one message per
field, in Japanese message ids, so that the page shows them next to the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from pydantic import ValidationError

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http.i18n import N_
from tsunagu.core.types.wareki import InvalidDate, format_wareki
from tsunagu.registry.residents.schemas import (
    AddressChangeIn,
    BirthIn,
    DeathIn,
    MoveInIn,
    MoveOutIn,
    NameChangeIn,
    RegistrationIn,
)

# When a field shows: always, only when joining a household, only when starting one,
# or (死亡届) only when the person is the 世帯主 of others.
Shown = Literal["always", "joining", "new_household", "head"]
Input = Literal["text", "date", "select"]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    hint: str = ""
    input: Input = "text"
    required: bool = True
    shown: Shown = "always"
    inputmode: str = "text"


@dataclass(frozen=True)
class Registration:
    """One 届出 form: ``slug`` in the URL, and whether it is about a registered person."""

    slug: str
    title: str
    intro: str
    model: type[RegistrationIn]
    fields: tuple[Field, ...]
    about_resident: bool


NAME = (
    Field("family_name", N_("氏"), N_("例: 佐藤")),
    Field("given_name", N_("名"), N_("例: 陽太")),
    Field("family_kana", N_("氏(フリガナ)"), N_("カタカナまたはひらがな")),
    Field("given_kana", N_("名(フリガナ)"), N_("カタカナまたはひらがな")),
)
DATE_HINT = N_("例: 令和8年4月1日 または 2026-04-01")
RESIDENCE = (
    Field("town_id", N_("町字"), input="select"),
    Field("banchi", N_("番地"), N_("例: 3"), required=False, inputmode="numeric"),
    Field("go", N_("号"), N_("例: 5"), required=False, inputmode="numeric"),
    Field("building", N_("建物名・部屋番号"), required=False),
)
SEX = Field("sex", N_("性別"), input="select")
# 死亡届の届出人 (戸籍法第87条): a member of the 世帯 is chosen (name and address from the register),
# anyone else is written in; the service says which of these the chosen capacity needs
INFORMANT = (
    Field("informant_qualification", N_("届出人の資格"), input="select"),
    Field(
        "informant_id",
        N_("届出人（同じ世帯の方）"),
        N_("選ぶと氏名・住所は住民票から記載します"),
        input="select",
        required=False,
    ),
    Field("informant_name", N_("届出人の氏名"), N_("世帯の外の方の場合"), required=False),
    Field("informant_address", N_("届出人の住所"), N_("世帯の外の方の場合"), required=False),
    Field(
        "informant_relationship", N_("亡くなった方との続柄"), N_("親族の場合。例: 妻、長男"), required=False
    ),
)

REGISTRATIONS: dict[str, Registration] = {
    r.slug: r
    for r in (
        Registration(
            "birth",
            N_("出生届を登録"),
            N_("新しく生まれた人を住民票に記載します。個人番号は自動で指定されます。"),
            BirthIn,
            (
                *NAME,
                Field("birth_date", N_("生年月日"), DATE_HINT, input="date"),
                SEX,
                Field("relationship", N_("世帯主との続柄"), N_("例: 子"), shown="joining"),
                *(replace(f, shown="new_household") for f in RESIDENCE),
            ),
            about_resident=False,
        ),
        Registration(
            "move-in",
            N_("転入届を登録"),
            N_("ほかの市区町村から引っ越してきた人を住民票に記載します(住民基本台帳法第22条)。"),
            MoveInIn,
            (
                *NAME,
                Field("birth_date", N_("生年月日"), DATE_HINT, input="date"),
                SEX,
                Field("individual_number", N_("個人番号"), N_("12桁"), inputmode="numeric"),
                Field("previous_address", N_("前住所"), N_("例: 神奈川県横須賀市小川町1-2")),
                Field("certificate", N_("転出証明書の番号"), N_("提出された場合"), required=False),
                Field("effective_date", N_("転入日"), DATE_HINT, input="date"),
                *RESIDENCE,
                Field("relationship", N_("世帯主との続柄"), N_("例: 妻"), shown="joining"),
            ),
            about_resident=False,
        ),
        Registration(
            "death",
            N_("死亡届を登録"),
            N_("死亡により住民票を消除します。世帯主が亡くなった場合は新しい世帯主を選びます。"),
            DeathIn,
            (
                Field("date_of_death", N_("死亡日"), DATE_HINT, input="date"),
                Field("new_head_id", N_("新しい世帯主"), input="select", shown="head"),
                *INFORMANT,
            ),
            about_resident=True,
        ),
        Registration(
            "name-change",
            N_("氏名変更を登録"),
            N_("戸籍の届出(婚姻・養子縁組など)に基づいて氏名を変更します(住民基本台帳法第9条第2項)。"),
            NameChangeIn,
            (
                *NAME,
                Field("reason", N_("変更の理由"), N_("例: 婚姻")),
                Field("effective_date", N_("変更日"), DATE_HINT, input="date"),
            ),
            about_resident=True,
        ),
        Registration(
            "address-change",
            N_("転居届を登録"),
            N_("同じ市区町村の中で住所が変わる人の住民票を書き換えます(住民基本台帳法第23条)。"),
            AddressChangeIn,
            (*RESIDENCE, Field("effective_date", N_("転居日"), DATE_HINT, input="date")),
            about_resident=True,
        ),
        Registration(
            "move-out",
            N_("転出届を登録"),
            N_("ほかの市区町村へ引っ越す人の住民票を消除します(住民基本台帳法第24条)。"),
            MoveOutIn,
            (
                Field("destination", N_("転出先の住所"), N_("例: 神奈川県横須賀市小川町1-2")),
                Field("effective_date", N_("転出日"), DATE_HINT, input="date"),
            ),
            about_resident=True,
        ),
    )
}

# Messages for the problem codes of the service and of Pydantic, shown next to the field.
MESSAGES = {
    "missing": N_("入力してください。"),
    "string_too_long": N_("長すぎます。"),
    "string_too_short": N_("入力してください。"),
    "literal_error": N_("選んでください。"),
    "int_parsing": N_("選んでください。"),
    "invalid-date": N_("日付は 令和8年4月1日 または 2026-04-01 の形で入力してください。"),
    "invalid-individual-number": N_("個人番号は12桁の数字です。検査用数字(最後の1桁)も確認してください。"),
    "invalid-name": N_("氏名は漢字などで、フリガナはカタカナかひらがなで入力してください。"),
    "birth-date-in-future": N_("未来の生年月日は登録できません。"),
    "birth-already-registered": N_("この世帯には、同じ氏名・生年月日の子の出生がすでに登録されています。"),
    "effective-date-in-future": N_("未来の日付は登録できません。"),
    "effective-date-before-last-change": N_("前回の異動日より前の日付は登録できません。"),
    "unknown-town": N_("その町字は住所の台帳にありません。"),
    "town-outside-municipality": N_("この市区町村の町字を選んでください。"),
    "unknown-household": N_("その世帯は見つかりません。"),
    "unknown-previous-address": N_("前住所の市区町村が見つかりません。都道府県から入力してください。"),
    "previous-address-in-municipality": N_("前住所がこの市区町村の中です。転居として登録してください。"),
    "new-head-required": N_("世帯主が亡くなったため、新しい世帯主を選んでください。"),
    "not-a-household-member": N_("同じ世帯の人を選んでください。"),
    "new-head-not-needed": N_("新しい世帯主は、世帯主が亡くなったときだけ選びます。"),
    "informant-required": N_("届出人について入力してください。"),
    "informant-not-a-resident": N_("この市区町村に住んでいる方を選んでください。"),
    "informant-not-cohabiting": N_("同居の方としての届出は、亡くなった方と同じ世帯の方を選んでください。"),
    "resident-already-registered": N_("この個人番号の人はすでに登録されています。"),
}
GENERAL = N_("入力内容を確認してください。")


def display_date(day: date) -> str:
    """和暦 and Western, as staff and residents read dates: 令和8年11月1日 (2026-11-01)."""
    try:
        return f"{format_wareki(day)} ({day.isoformat()})"
    except InvalidDate:
        return day.isoformat()


def visible(registration: Registration, *, joining: bool, head: bool) -> tuple[Field, ...]:
    shown = {"always", "joining" if joining else "new_household"} | ({"head"} if head else set())
    return tuple(f for f in registration.fields if f.shown in shown)


def checked(
    registration: Registration, fields: tuple[Field, ...], values: Mapping[str, str], extra: Mapping[str, str]
) -> tuple[RegistrationIn | None, dict[str, str]]:
    """The model of the form, or the message id of each field in error.

    ``extra`` are values the page sets itself (the household joined); empty optional fields
    take the model's default.
    """
    errors = {
        f.name: MESSAGES["missing"] for f in fields if f.required and not values.get(f.name, "").strip()
    }
    if errors:
        return None, errors
    data = {name: value for name, value in {**values, **extra}.items() if value.strip()}
    try:
        return registration.model.model_validate(data), {}
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            errors.setdefault(name, _message(error["type"], error.get("ctx", {}).get("error")))
        return None, errors
    except ValidationFailed as exc:  # raised by a value type outside Pydantic's wrapping
        return None, field_errors(exc)


def _message(kind: str, cause: object) -> str:
    code = getattr(cause, "code", kind)
    return MESSAGES.get(code, MESSAGES.get(kind, GENERAL))


def field_errors(exc: ValidationFailed) -> dict[str, str]:
    """The message id for each field a service error names (its code's, else a general one)."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        location = error.get("location") or [""]
        code = str(error.get("type", exc.code))
        errors[str(location[-1])] = MESSAGES.get(code, MESSAGES.get(exc.code, GENERAL))
    return errors or {"": MESSAGES.get(exc.code, GENERAL)}
