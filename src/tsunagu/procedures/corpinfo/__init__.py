"""法人活動情報 (Gビズインフォ-style open corporate information) by 法人番号."""
