"""A benefit run as data (給付金の支給計画): who is paid how much, by whom, from which account.

The YAML names the run (``id``, the key that makes a run idempotent), the paying organization (a
municipality's 全国地方公共団体コード), the amount per person in yen, the eligibility rule in the
language of :mod:`tsunagu.procedures.rules` over the attributes a register can answer for the
reference date, and the payer's side of the transfer file (委託者コード, 仕向銀行・支店, 口座).

An allowance paid on a decision (児童手当: 認定 by the municipality) names the procedure with
``decided``: then only the people whose application of it the paying organization approved are
eligible, and the rule narrows them further (e.g. still living there on the reference date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tsunagu.core.errors import ValidationFailed
from tsunagu.procedures import rules as eligibility_rules
from tsunagu.procedures.definition import Localized
from tsunagu.procedures.source import Problem, SourceDocument, SourceError, parse
from tsunagu.registry.accounts import kana
from tsunagu.registry.accounts import service as accounts

RUNS_DIR = Path(__file__).parent / "runs"
_PROCEDURE_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

# What the register tells about a person on the reference date (no household walk per person).
ATTRIBUTES = ("age", "status", "municipality_code", "prefecture_code")
_KEYS = {"id", "name", "organization", "amount_yen", "eligibility", "payer"}
_OPTIONAL = {"decided"}
_PAYER_KEYS = {"consignor_code", "name_kana", "bank_code", "branch_code", "account_type", "account_number"}


class BenefitRunInvalid(ValidationFailed):
    code = "benefits-run-invalid"
    title = "The benefit run file is not valid"


@dataclass(frozen=True)
class Payer:
    """振込依頼人: the paying organization's account at its bank (仕向銀行)."""

    consignor_code: str  # 委託者コード, given by the bank
    name_kana: str  # 振込依頼人名 in 全銀 kana
    bank_code: str
    branch_code: str
    account_type: str  # futsu, toza
    account_number: str


@dataclass(frozen=True)
class BenefitRun:
    id: str
    name: Localized
    organization: str
    amount_yen: int
    eligibility: dict[str, Any]
    payer: Payer
    decided: str | None = None  # the procedure whose approved applications make people eligible


def _digits(value: object, width: int) -> bool:
    return isinstance(value, str) and len(value) == width and value.isascii() and value.isdigit()


def _payer(document: SourceDocument, data: object, found: list[Problem]) -> Payer | None:
    if not isinstance(data, dict):
        found.append(document.problem(("payer",), "payer is a mapping"))
        return None
    found += [
        document.problem(("payer", k), f"unknown key {k!r}", key=True) for k in data if k not in _PAYER_KEYS
    ]
    found += [document.problem(("payer",), f"missing {k!r}") for k in sorted(_PAYER_KEYS - set(data))]
    if found:
        return None
    for key, width in (("consignor_code", 10), ("bank_code", 4), ("branch_code", 3), ("account_number", 7)):
        if not _digits(data[key], width):
            found.append(document.problem(("payer", key), f"{key} is {width} digits, as a quoted string"))
    if data["account_type"] not in accounts.ACCOUNT_TYPES:
        found.append(document.problem(("payer", "account_type"), "account_type is futsu, toza or chochiku"))
    elif (
        _digits(data["bank_code"], 4)
        and _digits(data["branch_code"], 3)
        and (accounts.branch_name(data["bank_code"], data["branch_code"]) is None)
    ):
        found.append(document.problem(("payer", "branch_code"), "no such bank and branch in the 全銀協 list"))
    try:
        name_kana = kana.to_zengin(str(data["name_kana"]))
    except kana.NotZenginKana as exc:
        found.append(document.problem(("payer", "name_kana"), f"name_kana cannot hold {exc.character!r}"))
        return None
    if len(name_kana) > 40:
        found.append(document.problem(("payer", "name_kana"), "name_kana is at most 40 characters"))
    return Payer(
        data["consignor_code"],
        name_kana,
        data["bank_code"],
        data["branch_code"],
        data["account_type"],
        data["account_number"],
    )


def parse_run(path: Path, text: str) -> BenefitRun:
    """One run file, or :class:`BenefitRunInvalid` naming each problem at its line."""
    try:
        document = parse(path, text)
    except SourceError as exc:
        raise BenefitRunInvalid("; ".join(str(p) for p in exc.problems)) from None
    data = document.data
    if not isinstance(data, dict):
        raise BenefitRunInvalid(f"{path}:1: a benefit run is a mapping")
    found = [
        document.problem((key,), f"unknown key {key!r}", key=True)
        for key in data
        if key not in _KEYS | _OPTIONAL
    ]
    found += [document.problem((), f"missing {key!r}") for key in sorted(_KEYS - set(data))]
    if found:
        raise BenefitRunInvalid("; ".join(str(p) for p in found))
    name = data["name"]
    if not (isinstance(name, dict) and all(isinstance(name.get(lang), str) for lang in ("ja", "en"))):
        found.append(document.problem(("name",), "name needs ja and en texts"))
    if not _digits(data["organization"], 6):
        found.append(document.problem(("organization",), "organization is a 6-digit 全国地方公共団体コード"))
    amount = data["amount_yen"]
    if type(amount) is not int or not 0 < amount < 10**10:
        found.append(document.problem(("amount_yen",), "amount_yen is a whole number of yen, 1 or more"))
    rule = data["eligibility"]
    if isinstance(rule, dict):
        found += [
            document.problem(where, message)
            for where, message in eligibility_rules.problems(rule, ("eligibility",))
        ]
        found += [
            document.problem(
                ("eligibility",), f"a benefit run can test only {', '.join(ATTRIBUTES)}; not {name!r}"
            )
            for name in sorted(_attributes(rule) - set(ATTRIBUTES))
        ]
    else:
        found.append(document.problem(("eligibility",), "eligibility is a rule"))
    decided = data.get("decided")
    if decided is not None and not (isinstance(decided, str) and _PROCEDURE_ID.fullmatch(decided)):
        found.append(document.problem(("decided",), "decided is the id of a procedure (jido-teate-nintei)"))
    payer = _payer(document, data["payer"], found)
    if found or payer is None:
        raise BenefitRunInvalid("; ".join(str(p) for p in found))
    return BenefitRun(
        str(data["id"]),
        Localized(ja=name["ja"], en=name["en"]),
        data["organization"],
        amount,
        rule,
        payer,
        decided,
    )


def _attributes(rule: dict[str, Any]) -> set[str]:
    if "all" in rule or "any" in rule:
        return set().union(*(_attributes(part) for part in rule.get("all", rule.get("any", []))))
    if "not" in rule:
        return _attributes(rule["not"])
    return {str(rule.get("attribute"))}


def load_run(path: Path) -> BenefitRun:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BenefitRunInvalid(f"{path}: cannot read the run file ({exc})") from None
    return parse_run(path, text)


def runs_of(organization: str, directory: Path | None = None) -> dict[str, BenefitRun]:
    """The runs ``organization`` pays, by id (the staff page's list); a bad file is refused at its line."""
    found = (load_run(path) for path in sorted((directory or RUNS_DIR).glob("*.yaml")))
    return {run.id: run for run in found if run.organization == organization}
