"""The scanner the page crawls use finds every kind of plumbing, and leaves people's words alone."""

from __future__ import annotations

import pytest
from tests.plumbing import find_plumbing


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("申請先: 131016", "organization code"),
        ("差出人 142018 · 2026年11月22日", "organization code"),
        ("手続: tenshutsu", "slug"),
        ("tennyu-yoyaku の申請", "slug"),
        ("提供元: digital-agency", "slug"),
        ("代理人: 0123456789abcdef0123456789abcdef", "hex id"),
        ("状況: submitted", "enum"),
        ("under_review → approved", "enum"),
        ("2026-11-22 10:00 UTC", "UTC"),
        ("受付 2026-11-22T01:00:00+00:00", "ISO timestamp"),
        ("受付 01:00:00Z", "ISO timestamp"),
        ("転出予定日: 2026-12-20", "ISO date"),
        ("生年月日 1983-02-24 · 男", "ISO date"),
        ("only staff can use this", "English sentence"),
        ("the login id or the password is wrong", "English sentence"),
    ],
)
def test_each_kind_of_plumbing_is_found(text: str, rule: str) -> None:
    assert rule in [found_rule for found_rule, _fragment in find_plumbing(text)], text


@pytest.mark.parametrize(
    "text",
    [
        "受付番号 2026-131016-000001",
        "〒100-0001 東京都千代田区千代田1-1",
        "令和8年11月22日 10:00",
        "2026年11月22日 10:00",
        "生年月日 昭和40年8月29日 (1965-08-29)",
        "手数料 300 円 · 1,000,000 円",
        "個人番号 ****-****-1234",
        "English",
        "PDF をダウンロード · API仕様 · OpenAPI 3.1",
        "東京都千代田区 · 神奈川県横須賀市 · つなぐ電力",
        "全国地方公共団体コード6桁(例: 131016)",
        "お子さまが加入する健康保険 国民健康保険 保険者番号 131011",
        "例: 令和8年4月1日 または 2026-04-01",
        "日付は 令和8年4月1日 または 2026-04-01 の形で入力してください。",
    ],
)
def test_peoples_words_pass(text: str) -> None:
    assert find_plumbing(text) == []
