"""The publisher console (公開担当の画面) and its API: datasets and code lists written as drafts,
published and withdrawn by an organization's publisher staff."""
