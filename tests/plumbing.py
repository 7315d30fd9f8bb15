"""What must never reach a person's screen in the Japanese UI: internal codes and untranslated text.

``find_plumbing(text)`` returns each offending fragment of a page's *visible* text with the rule it
breaks; the page crawls (tests/e2e/test_no_plumbing.py) fail on any. Legitimate look-alikes are
allowed by shape: a receipt number (2026-131016-000001) joins its digits with hyphens, a postcode
is 100-0001, a 12-digit 個人番号 is not 6 digits, and a value labelled as a 番号 (保険者番号 131011)
is the person's data.
"""

from __future__ import annotations

import re
from pathlib import Path

DEFINITIONS = Path(__file__).resolve().parents[1] / "src" / "tsunagu" / "procedures" / "definitions"
#: organization codes that are slugs (the demo's participants) and procedure ids
SLUGS = sorted(
    {"digital-agency", "jpn-pension", "nta-kojimachi", "tsunagu-power"}
    | {p.stem for p in DEFINITIONS.glob("*.yaml")}
)
ENUMS = (
    "submitted",
    "under_review",
    "approved",
    "rejected",
    "returned",
    "withdrawn",
    "start_review",
    "pending",
    "refund_pending",
    "refunded",
    "paid",
    "failed",
    "booked",
    "cancelled",
    "attended",
    "no_show",
    "active",
    "expired",
    "consent",
    "moving_out",
    "moved_out",
    "resident",
    "municipal",
)

RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # (a form's hint may show the shape it wants: 例: 131016; a value its label calls a 番号 is the
    # person's own data, such as a 国民健康保険 保険者番号 131011)
    ("organization code", re.compile(r"(?<!例: )(?<!番号 )(?<!番号\n)(?<![\d\-,.])\d{6}(?![\d\-,.])")),
    ("slug", re.compile(r"(?<![\w/.-])(?:" + "|".join(re.escape(s) for s in SLUGS) + r")(?![\w-])")),
    ("hex id", re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{32}(?![0-9a-fA-F])")),
    ("enum", re.compile(r"(?<![\w-])(?:" + "|".join(ENUMS) + r")(?![\w-])")),
    ("UTC", re.compile(r"\bUTC\b")),
    # a bare 2026-12-20 where a Japanese page writes 令和8年12月20日 (beside it in brackets, or as the
    # second way a form's hint offers, it may stand)
    ("ISO date", re.compile(r"(?<![\d(（-])(?<!例: )(?<!または )\d{4}-\d{2}-\d{2}(?![\d-])")),
    ("ISO timestamp", re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z\b")),
    # four or more English words in a row: a sentence that was never translated
    ("English sentence", re.compile(r"\b[A-Za-z][a-z']+(?:[ ,]+[A-Za-z][a-z']*){3,}")),
)
#: English that belongs on a Japanese page: the switch to English, product and standard names
ALLOWED_ENGLISH = ("English",)


def find_plumbing(text: str) -> list[tuple[str, str]]:
    """Each (rule, fragment) of ``text`` that shows an internal identifier or untranslated text."""
    found = []
    for rule, pattern in RULES:
        for match in pattern.finditer(text):
            fragment = match.group(0)
            if rule == "English sentence" and fragment in ALLOWED_ENGLISH:
                continue
            start = max(match.start() - 30, 0)
            found.append((rule, text[start : match.end() + 30].replace("\n", " ")))
    return found
