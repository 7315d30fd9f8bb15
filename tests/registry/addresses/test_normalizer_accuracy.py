"""Accuracy on the labelled test set (356 addresses) against every town in Japan."""

from pathlib import Path

from tsunagu.registry.addresses.normalizer.evaluation import Case, evaluate, read_cases
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
    wrong = Case(input="東京都千代田区霞が関2-1-1", prefecture="東京都", municipality="千代田区",
                 town="霞が関三丁目")
    assert evaluate(national_index, [wrong]).town_exact == 0
