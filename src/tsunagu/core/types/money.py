"""金額: yen amounts written for people — 1,000万円, 1億5,000万円, 12,345,678円 (en: ¥10,000,000).

Only the display changes; stored and submitted amounts stay exact integers of yen.
"""

from __future__ import annotations

MAN, OKU, CHO = 10**4, 10**8, 10**12


def format_yen(amount: int, locale: str = "ja") -> str:
    """The amount as a Japanese form writes it: in 兆/億/万 when it is a whole number of 万円
    (資本金 1,000万円), else every digit with separators (12,345,678円)."""
    if locale == "en":
        return f"-¥{-amount:,}" if amount < 0 else f"¥{amount:,}"
    if amount < 0:
        return "-" + format_yen(-amount)
    if amount < MAN or amount % MAN:
        return f"{amount:,}円"
    parts = []
    for unit, name in ((CHO, "兆"), (OKU, "億"), (MAN, "万")):
        count, amount = divmod(amount, unit)
        if count:
            parts.append(f"{count:,}{name}")
    return "".join(parts) + "円"
