"""Accuracy on the labelled test set (356 addresses) against every town in Japan."""

from pathlib import Path

from tsunagu.registry.addresses.normalizer.evaluation import (
    Case,
    evaluate,
    evaluate_levels,
    read_cases,
    read_realworld_cases,
)
from tsunagu.registry.addresses.normalizer.index import AddressIndex

DATA = Path(__file__).parent / "data"


def test_test_set_is_large_enough() -> None:
    assert len(read_cases(DATA / "normalizer_cases.csv", DATA / "handwritten_cases.csv")) >= 300


def test_town_level_accuracy_stays_at_least_98_percent(national_index: AddressIndex) -> None:
    cases = read_cases(DATA / "normalizer_cases.csv", DATA / "handwritten_cases.csv")
    result = evaluate(national_index, cases)
    misses = "\n".join(f"{case.input} → {found.level} {found.address}" for case, found in result.misses)
    assert result.town_accuracy >= 0.98, misses
    assert result.block_accuracy >= 0.95


def test_evaluation_counts_a_wrong_answer(national_index: AddressIndex) -> None:
    wrong = Case(
        input="東京都千代田区霞が関2-1-1", prefecture="東京都", municipality="千代田区", town="霞が関三丁目"
    )
    assert evaluate(national_index, [wrong]).town_exact == 0


REAL_WORLD = DATA / "realworld_cases.csv.gz"  # 6,083 public facilities (Japan Post): make_realworld_cases.py
FACILITIES = DATA / "facility_cases.csv"  # 244 from public facility lists: make_facility_cases.py


def test_real_world_set_is_large_and_covers_every_form() -> None:
    cases = read_realworld_cases(REAL_WORLD)
    assert len(cases) >= 1000
    forms = {form for case in cases for form in case.form.split()}
    assert {
        "kyoto-street",
        "grid-jo",
        "ward-without-city",
        "no-prefecture",
        "oaza-aza",
        "variant-characters",
        "spaces",
        "building",
    } <= forms
    assert len({case.prefecture for case in cases}) == 47


def test_real_world_accuracy_per_level_and_form(national_index: AddressIndex) -> None:
    result = evaluate_levels(national_index, read_realworld_cases(REAL_WORLD))
    misses = "\n".join(f"{case.input} → {found.level} {found.address}" for case, found in result.misses[:30])
    assert result.overall.municipality / result.overall.total >= 0.99, misses
    assert result.overall.town / result.overall.total >= 0.98, misses
    for form, tally in result.by_form.items():
        assert tally.town / tally.total >= 0.95, (form, tally, misses)


def test_facility_list_accuracy(national_index: AddressIndex) -> None:
    # ward-without-city cases that several cities share (中央区本町2丁目) are rightly ambiguous
    result = evaluate_levels(national_index, read_realworld_cases(FACILITIES))
    assert result.overall.town / result.overall.total >= 0.97
    for case, found in result.misses:
        assert found.candidates, case.input  # never a wrong guess: the candidates instead
        assert case.municipality_code in {c.municipality_code for c in found.candidates}
