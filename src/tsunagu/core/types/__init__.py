"""Standard data types (行政基本情報データ連携モデル): validated, reusable value types.

Each module holds one type. Invalid input raises ``InvalidValue`` (a ``ValidationFailed`` that is
also a ``ValueError``, so the same rule works inside Pydantic models and yields a 422).
"""
