"""Search (kana- and width-insensitive, by life event), eligibility rules and form schemas."""

from __future__ import annotations

import pytest

from tsunagu.procedures import rules, service
from tsunagu.procedures.loader import SHIPPED_DIR
from tsunagu.procedures.registry import LiveRegistry

REGISTRY = LiveRegistry(SHIPPED_DIR)


def _ids(keyword: str = "", life_event: str | None = None) -> list[str]:
    return [p.id for p in service.search(REGISTRY, keyword, life_event)]


@pytest.mark.parametrize(
    "keyword", ["転出", "てんしゅつ", "テンシュツ", "ﾃﾝｼｭﾂ", "MOVING OUT", "ｍｏｖｉｎｇ　ｏｕｔ"]
)
def test_keyword_variants_find_the_same_procedure(keyword: str) -> None:
    assert _ids(keyword)[0] == "tenshutsu"
    assert "juminhyo-utsushi" not in _ids(keyword)


def test_every_word_must_match() -> None:
    assert _ids("児童手当 認定") == ["jido-teate-nintei"]
    assert _ids("児童手当 法人") == []


def test_name_matches_rank_before_other_matches() -> None:
    found = _ids("転入")
    assert found[0] == "tennyu-yoyaku"


def test_life_event_filter() -> None:
    assert set(_ids(life_event="moving")) == {
        "tenshutsu",
        "tennyu-yoyaku",
        "jido-teate-nintei",
        "juminhyo-utsushi",
    }
    assert set(_ids(life_event="bereavement")) == {
        "sosaihi-shikyu",
        "kaigo-shikaku-soshitsu",
        "jido-teate-shometsu",
    }
    assert _ids("住民票", life_event="certificates") == ["juminhyo-utsushi"]


def test_unknown_life_event_is_refused() -> None:
    with pytest.raises(service.UnknownLifeEvent):
        service.search(REGISTRY, "", "partying")


def test_unknown_procedure() -> None:
    with pytest.raises(service.ProcedureNotFound):
        service.get_procedure(REGISTRY, "nothing")


def test_eligibility() -> None:
    allowance = service.get_procedure(REGISTRY, "jido-teate-nintei")
    parent = {"kind": "resident", "status": "resident", "children_in_care": 2}
    assert service.is_eligible(allowance, parent)
    assert not service.is_eligible(allowance, parent | {"children_in_care": 0})
    assert not service.is_eligible(allowance, parent | {"status": "moved_out"})
    assert not service.is_eligible(allowance, parent | {"kind": "business"})


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"attribute": "age", "op": "lt", "value": 18}, True),
        ({"attribute": "age", "op": "gte", "value": 18}, False),
        ({"attribute": "status", "op": "in", "value": ["resident", "moved_out"]}, True),
        ({"attribute": "status", "op": "not_in", "value": ["resident"]}, False),
        ({"not": {"attribute": "status", "op": "ne", "value": "resident"}}, True),
        (
            {
                "any": [
                    {"attribute": "age", "op": "gt", "value": 64},
                    {"attribute": "municipality_code", "op": "eq", "value": "131016"},
                ]
            },
            True,
        ),
        (
            {
                "all": [
                    {"attribute": "age", "op": "gt", "value": 10},
                    {"attribute": "municipality_code", "op": "eq", "value": "142018"},
                ]
            },
            False,
        ),
    ],
)
def test_rule_language(rule: dict[str, object], expected: bool) -> None:
    applicant = {"age": 12, "status": "resident", "municipality_code": "131016"}
    assert rules.evaluate(rule, applicant) is expected


def test_rule_needing_a_missing_attribute_is_a_caller_error() -> None:
    with pytest.raises(rules.MissingAttribute):
        rules.evaluate({"attribute": "age", "op": "gt", "value": 1}, {})


def test_form_schema_of_a_business_procedure() -> None:
    bid = service.get_procedure(REGISTRY, "nyusatsu-sanka-shikaku")
    schema = service.form_schema(bid, "ja")
    assert schema["properties"]["corporate_number"]["pattern"] == "^[0-9]{13}$"
    assert schema["properties"]["company_name"]["x-tsunagu-prefill"]["service"] == "corporations.basic"
    upload = schema["properties"]["financial_statements"]
    assert upload["x-tsunagu-max-bytes"] == 5242880
    assert upload["x-tsunagu-content-types"] == ["application/pdf"]
    assert [o["const"] for o in schema["properties"]["categories"]["oneOf"]] == ["goods", "services"]


@pytest.mark.parametrize(
    ("keyword", "first"),
    [
        ("ひっこし", "tenshutsu"),
        ("ヒッコシ", "tenshutsu"),
        ("ﾋｯｺｼ", "tenshutsu"),
        ("引っ越したい", "tenshutsu"),
        ("転出届を出したい", "tenshutsu"),
        ("てんしゅつとどけをだしたい", "tenshutsu"),
        ("住民票がほしい", "juminhyo-utsushi"),
        ("じゅうみんひょう", "juminhyo-utsushi"),
        ("転入の予約をしたい", "tennyu-yoyaku"),
    ],
)
def test_everyday_phrasings_find_the_procedure(keyword: str, first: str) -> None:
    assert _ids(keyword)[0] == first, _ids(keyword)


def test_a_birth_finds_the_child_procedures_first() -> None:
    assert set(_ids("赤ちゃんが生まれた")[:2]) == {"jido-teate-nintei", "kodomo-iryohi-josei"}


def test_moving_words_find_the_moving_procedures_but_not_business_ones() -> None:
    assert set(_ids("ひっこし")) == {"tenshutsu", "tennyu-yoyaku", "jido-teate-nintei", "juminhyo-utsushi"}
    assert _ids("ひっこし")[:2] == ["tenshutsu", "tennyu-yoyaku"]


def test_a_life_event_with_no_online_procedure_is_named() -> None:
    # the 死亡届 itself is not online; the おくやみ procedures that follow it are
    bereavement = {"sosaihi-shikyu", "kaigo-shikaku-soshitsu", "jido-teate-shometsu"}
    assert set(_ids("死亡")) == bereavement == set(_ids("しぼうとどけ"))
    assert service.life_events_meant("死亡届を出したい") == ["bereavement"]
    assert service.life_events_meant("家族が亡くなった") == ["bereavement"]
    assert service.life_events_meant("天気") == []
