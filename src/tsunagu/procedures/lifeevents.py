"""ライフイベント: the life events procedures are tagged with, for search and one-stop bundles."""

from __future__ import annotations

from tsunagu.procedures.definition import Localized

LIFE_EVENTS: dict[str, Localized] = {
    "moving": Localized(ja="引越し", en="Moving"),
    "birth": Localized(ja="出産", en="Having a baby"),
    "child_rearing": Localized(ja="子育て", en="Raising children"),
    "marriage": Localized(ja="結婚・離婚", en="Marriage and divorce"),
    "care": Localized(ja="介護", en="Long-term care"),
    "bereavement": Localized(ja="おくやみ", en="Bereavement"),
    "certificates": Localized(ja="証明書", en="Certificates"),
    "tax_relief": Localized(ja="税・給付金", en="Tax and relief payments"),
    "company_setup": Localized(ja="会社設立", en="Setting up a company"),
    "business_operation": Localized(ja="事業運営", en="Running a business"),
}
