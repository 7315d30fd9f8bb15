"""Open corporate information (法人活動情報, Gビズインフォ-style, seed 004 §8.3): corporate activity
data by 法人番号 for anyone — ``activity`` (basic information, public filings, subsidies,
procurement), ``awards`` (importing subsidy and procurement records), ``opendata`` (bulk files in
the catalog's formats), ``keys`` (an API key per client, rate limits, usage per day) and
``synthetic`` (the demo's subsidy and procurement records, marked as synthetic)."""

from __future__ import annotations

from tsunagu.procedures.corpinfo.service.activity import *  # noqa: F403
from tsunagu.procedures.corpinfo.service.activity import __all__ as _activity
from tsunagu.procedures.corpinfo.service.awards import *  # noqa: F403
from tsunagu.procedures.corpinfo.service.awards import __all__ as _awards
from tsunagu.procedures.corpinfo.service.keys import *  # noqa: F403
from tsunagu.procedures.corpinfo.service.keys import __all__ as _keys
from tsunagu.procedures.corpinfo.service.opendata import *  # noqa: F403
from tsunagu.procedures.corpinfo.service.opendata import __all__ as _opendata
from tsunagu.procedures.corpinfo.service.synthetic import *  # noqa: F403
from tsunagu.procedures.corpinfo.service.synthetic import __all__ as _synthetic

__all__ = [*_activity, *_awards, *_keys, *_opendata, *_synthetic]  # noqa: PLE0604
