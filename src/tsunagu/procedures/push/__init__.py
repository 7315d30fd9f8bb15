"""プッシュ型のお知らせ: rules (data files) that turn registry events into personal notices."""
