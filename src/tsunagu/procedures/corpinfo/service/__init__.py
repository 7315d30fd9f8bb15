"""Open corporate information (法人活動情報, Gビズインフォ-style, seed 004 §8.3): corporate activity
data by 法人番号 for anyone — ``activity`` (basic information, public filings, subsidies,
procurement), ``awards`` (importing subsidy and procurement records), ``opendata`` (bulk files in
the catalog's formats) and ``keys`` (an API key per client, rate limits, usage per day)."""

from __future__ import annotations

from tsunagu.procedures.corpinfo.service.activity import *  # noqa: F403
from tsunagu.procedures.corpinfo.service.activity import __all__ as _activity
from tsunagu.procedures.corpinfo.service.awards import *  # noqa: F403
from tsunagu.procedures.corpinfo.service.awards import __all__ as _awards
from tsunagu.procedures.corpinfo.service.keys import *  # noqa: F403
from tsunagu.procedures.corpinfo.service.keys import __all__ as _keys
from tsunagu.procedures.corpinfo.service.opendata import *  # noqa: F403
from tsunagu.procedures.corpinfo.service.opendata import __all__ as _opendata

__all__ = [*_activity, *_awards, *_keys, *_opendata]  # noqa: PLE0604
