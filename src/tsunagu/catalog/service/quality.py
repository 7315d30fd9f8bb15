"""Metadata quality (メタデータの品質) of each dataset, in the spirit of the EU data portal's Metadata
Quality Assessment (MQA, https://data.europa.eu/mqa/methodology): the same five dimensions,
indicators and weights (405 points), scored on our own descriptions and on the last check that each
distribution's URL answers (:mod:`.links`), and aggregated per publisher.

Where we cannot know what the MQA asks, the indicator scores nothing and says so: we publish no
file sizes (``dcat:byteSize``) nor issue dates (``dct:issued``), and a URL not yet checked, or one
outside this deployment (nothing but loopback is reachable here), is not counted as accessible.
DCAT-AP compliance is awarded to a description holding every property the catalog refuses to
store without (``publishing.check_dataset``); the tests validate the published RDF with pySHACL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from tsunagu.catalog import store
from tsunagu.catalog.definitions import Dataset
from tsunagu.catalog.models import CatalogLinkCheck
from tsunagu.catalog.service.common import catalog
from tsunagu.catalog.service.search import published_datasets
from tsunagu.core.messages import N_

__all__ = [
    "DIMENSIONS",
    "MAXIMUM",
    "RATINGS",
    "Indicator",
    "PublisherQuality",
    "Quality",
    "link_checks",
    "publisher_quality",
    "qualities",
    "quality_of",
    "rating",
    "score",
]

Dimension = Literal["findability", "accessibility", "interoperability", "reusability", "contextuality"]
DIMENSIONS: dict[Dimension, str] = {
    "findability": N_("見つけやすさ"),
    "accessibility": N_("アクセスのしやすさ"),
    "interoperability": N_("相互運用性"),
    "reusability": N_("再利用のしやすさ"),
    "contextuality": N_("背景の情報"),
}
# The MQA's weights (its methodology's tables, also in docs/architecture.md)
WEIGHTS: dict[str, tuple[Dimension, int, str]] = {
    "keywords": ("findability", 30, N_("キーワード")),
    "themes": ("findability", 30, N_("分野")),
    "spatial": ("findability", 20, N_("対象地域")),
    "temporal": ("findability", 20, N_("対象期間")),
    "access_url_answers": ("accessibility", 50, N_("アクセス先の応答")),
    "download_url": ("accessibility", 20, N_("ダウンロード先の記載")),
    "download_url_answers": ("accessibility", 30, N_("ダウンロード先の応答")),
    "format": ("interoperability", 20, N_("データ形式の記載")),
    "media_type": ("interoperability", 10, N_("メディアタイプの記載")),
    "vocabulary": ("interoperability", 10, N_("形式が統制語彙にある")),
    "non_proprietary": ("interoperability", 20, N_("特定の製品に依存しない形式")),
    "machine_readable": ("interoperability", 20, N_("機械判読できる形式")),
    "dcat_ap": ("interoperability", 30, N_("DCAT-AP の必須項目")),
    "license": ("reusability", 20, N_("利用条件の記載")),
    "license_vocabulary": ("reusability", 10, N_("利用条件が統制語彙にある")),
    "access_rights": ("reusability", 10, N_("公開範囲の記載")),
    "access_rights_vocabulary": ("reusability", 5, N_("公開範囲が統制語彙にある")),
    "contact": ("reusability", 20, N_("問い合わせ先")),
    "publisher": ("reusability", 10, N_("公開する機関")),
    "rights": ("contextuality", 5, N_("権利・出典の表示")),
    "byte_size": ("contextuality", 5, N_("ファイルの大きさ")),
    "issued": ("contextuality", 5, N_("公開日")),
    "modified": ("contextuality", 5, N_("更新日")),
}
MAXIMUM = sum(weight for _, weight, _ in WEIGHTS.values())  # 405
# the MQA's rating bands
RATINGS: tuple[tuple[int, str], ...] = (
    (351, N_("優良")),
    (221, N_("良好")),
    (121, N_("可")),
    (0, N_("不十分")),
)
NON_PROPRIETARY = {"CSV", "JSON", "JSON-LD", "API"}  # an API here answers JSON
EU_LICENCES = ("https://creativecommons.org/",)  # licences the EU's licence vocabulary lists


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: Dimension
    label: str
    points: float
    weight: int


@dataclass(frozen=True)
class Quality:
    dataset_id: str
    indicators: tuple[Indicator, ...]

    @property
    def score(self) -> int:
        return round(sum(i.points for i in self.indicators))

    @property
    def rating(self) -> str:
        return rating(self.score)

    def of(self, dimension: Dimension) -> tuple[int, int]:
        """Points and the most there are in one dimension."""
        mine = [i for i in self.indicators if i.dimension == dimension]
        return round(sum(i.points for i in mine)), sum(i.weight for i in mine)


def rating(points: int) -> str:
    return next(label for floor, label in RATINGS if points >= floor)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def score(dataset: Dataset, answered: Mapping[str, bool]) -> Quality:
    """The quality of one description; ``answered`` holds, per distribution id, whether its URL
    answered at the last check (a distribution not in it was not checked)."""
    v = catalog().vocabularies
    distributions = dataset.distributions
    downloads = [d for d in distributions if d.format != "API"]
    licence = v.licenses.get(dataset.license)
    met: dict[str, float] = {
        "keywords": 1.0 if dataset.keywords.ja or dataset.keywords.en else 0.0,
        "themes": 1.0 if dataset.themes else 0.0,
        "spatial": 1.0 if dataset.spatial.ja else 0.0,
        "temporal": 1.0 if dataset.temporal else 0.0,
        "access_url_answers": _ratio(
            sum(answered.get(d.id, False) for d in distributions), len(distributions)
        ),
        "download_url": _ratio(len(downloads), len(distributions)),
        "download_url_answers": _ratio(sum(answered.get(d.id, False) for d in downloads), len(distributions)),
        "format": 1.0 if distributions else 0.0,
        "media_type": 1.0 if distributions else 0.0,
        "vocabulary": 1.0 if distributions else 0.0,  # EU file-type and IANA media-type URIs
        "non_proprietary": _ratio(
            sum(d.format in NON_PROPRIETARY for d in distributions), len(distributions)
        ),
        "machine_readable": _ratio(
            sum(d.format in NON_PROPRIETARY for d in distributions), len(distributions)
        ),
        "dcat_ap": 1.0,  # refused at write without its mandatory properties
        "license": 1.0 if licence else 0.0,
        "license_vocabulary": 1.0 if licence and licence.url.startswith(EU_LICENCES) else 0.0,
        "access_rights": 1.0,
        "access_rights_vocabulary": 1.0,  # the EU access-right authority table
        "contact": 1.0 if dataset.contact.email else 0.0,
        "publisher": 1.0 if dataset.publisher in v.publishers else 0.0,
        "rights": 1.0 if dataset.credit else 0.0,
        "byte_size": 0.0,
        "issued": 0.0,
        "modified": 1.0,
    }
    return Quality(
        dataset.id,
        tuple(
            Indicator(key, dimension, label, met[key] * weight, weight)
            for key, (dimension, weight, label) in WEIGHTS.items()
        ),
    )


def quality_of(db: Session, dataset: Dataset) -> Quality:
    return score(dataset, store.link_results(db, [dataset.id]).get(dataset.id, {}))


def qualities(db: Session, datasets: Iterable[Dataset]) -> dict[str, Quality]:
    """The quality of each dataset of a page (one query for all their link checks)."""
    found = list(datasets)
    checks = store.link_results(db, [d.id for d in found])
    return {d.id: score(d, checks.get(d.id, {})) for d in found}


def link_checks(db: Session, dataset_id: str) -> dict[str, CatalogLinkCheck]:
    """The last check of each distribution of a dataset, by distribution id."""
    return {c.distribution_id: c for c in store.link_checks(db, dataset_id)}


@dataclass(frozen=True)
class PublisherQuality:
    publisher: str
    datasets: int
    average: int
    ratings: dict[str, int]  # rating → how many datasets


def _aggregate(publisher: str, found: Iterable[Quality]) -> PublisherQuality:
    scores = [q.score for q in found]
    ratings = {label: 0 for _, label in RATINGS}
    for s in scores:
        ratings[rating(s)] += 1
    return PublisherQuality(
        publisher, len(scores), round(sum(scores) / len(scores)) if scores else 0, ratings
    )


def publisher_quality(db: Session) -> list[PublisherQuality]:
    """Each publisher's published datasets: how many, their average score, how many per rating
    (two queries: the descriptions and the link checks)."""
    datasets = published_datasets(db)
    checks = store.link_results(db, [d.id for d in datasets])
    by_publisher: dict[str, list[Quality]] = {}
    for d in datasets:
        by_publisher.setdefault(d.publisher, []).append(score(d, checks.get(d.id, {})))
    return sorted(
        (_aggregate(p, found) for p, found in by_publisher.items()), key=lambda q: (-q.average, q.publisher)
    )
