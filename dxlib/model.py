"""The vocabulary of dxlib, without any I/O: a plan's targets (:class:`TargetRegistry`), the data
an assessment reads (:class:`Dataset`), the kinds of series (:data:`KINDS`) and the two rules
that say which series stands for a target (:func:`series_geo`, :func:`series_indicators`).

:mod:`dxlib.data` loads and checks the files into these objects; :mod:`dxlib.engine` computes
on them.

Two meanings of "as of"
-----------------------
*The vintage year* (``Dataset.as_of(year)``, the ``as_of`` parameter of ``dx assess`` and the
notebooks): the data as they stood with the values of reference years up to ``year``, so a
table says what the trend said then. It cuts on the year a value *refers to*, not on when it
was published: the 2024 value published in 2025 counts as 2024 data.

*The date of a partial-year value* (the observation column :data:`PARTIAL_DATE`, written
``as_of`` in the data files, e.g. "47.5 % as of 2025-08-06"): a value covering only part of its
year. Such values are reported but never used as a year's value or a trend point;
:meth:`Dataset.full_year` and :meth:`Dataset.partial_year` (and the frame functions
:func:`full_year`, :func:`partial_year`) separate the two.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

#: the kinds of observed series (the forecasting method and the bounds depend on the kind)
KINDS: tuple[str, ...] = ("share", "level", "count", "rank", "index")

#: the values of the observations column ``bound``: '' for an exact value, ``lower`` when the
#: source gives a floor ("over 25 bn USD", "more than 87 %"), ``upper`` for a ceiling ("nearly")
BOUNDS: tuple[str, ...] = ("", "lower", "upper")

#: the observations column with the date of a partial-year value (NaT for a full year's value);
#: the data files call it ``as_of``
PARTIAL_DATE: str = "as_of"


@dataclass
class TargetRegistry:
    """A plan: its header, pillars (in report order), owning departments and targets.

    ``targets`` has one row per target, in file order, indexed by ``target_id``; columns
    ``pillar, text_vi, text_en, kind, comparator, value, unit, deadline, indicator, geo, level,
    measure, base_year, numerator, denominator, proxy, proxy_vi, grade, own_indicator, owner,
    evidence (tuple), note``. ``grade`` is the registry's explicit evidence grade (see
    :func:`target_grade`); ``own_indicator`` the plan's own measure when ``indicator`` is a
    stand-in (:func:`dxlib.data.use_own_measures` switches to it once it has data).
    Absent optional values are ``None``/NaN. ``geo`` is the series' geography, filled with the
    plan's geography where a target does not name its own.
    """

    plan: dict[str, Any]
    pillars: pd.DataFrame
    departments: pd.DataFrame
    targets: pd.DataFrame
    path: Path | None = None

    @property
    def geo(self) -> str:
        return str(self.plan["geo"])


def series_indicators(target: Any) -> list[str]:
    """The indicator ids a target reads: its ``indicator``, or ``numerator`` and ``denominator``
    (a registry row as a dict or Series); empty for unmapped targets and milestones without one."""
    names = [target.get("indicator"), target.get("numerator"), target.get("denominator")]
    return [n for n in names if isinstance(n, str) and n]


#: evidence grades of an assessed target: ``direct`` (the plan's own measure for the plan's
#: geography), ``proxy_geography`` (the same measure elsewhere, e.g. national),
#: ``proxy_measure`` (a related measure) and ``none`` (no observation of its series)
GRADES: tuple[str, ...] = ("direct", "proxy_geography", "proxy_measure", "none")
#: the grades of stand-in evidence (reported beside a target, never counted as its result)
STAND_IN_GRADES: tuple[str, ...] = ("proxy_geography", "proxy_measure")


def target_grade(target: Any, plan_geo: str) -> str:
    """The evidence grade a target's series gives (before looking at the data): the registry's
    ``grade`` when it names one (``proxy_measure`` wins over a geography), else
    ``proxy_geography`` when the series' ``geo`` is not the plan's, else ``direct``; ``none``
    for a target without a series. A registry row as a dict or Series."""
    if not series_indicators(target):
        return "none"
    grade = target.get("grade")
    if isinstance(grade, str) and grade:
        return grade
    own = target.get("geo")
    return "proxy_geography" if isinstance(own, str) and own != plan_geo else "direct"


def series_geo(target: Any, plan_geo: str, geo: str | None = None) -> str:
    """The geography whose series stands for a target: its own ``geo`` when it names one other
    than the plan's (a national proxy keeps it for every geography assessed), else ``geo`` (the
    geography asked for) or, without one, the plan's."""
    own = target["geo"]
    if geo is None or (isinstance(own, str) and own != plan_geo):
        return own
    return geo


def full_year(observations: pd.DataFrame) -> pd.DataFrame:
    """The rows of an observations frame that are a full year's value (no
    :data:`PARTIAL_DATE`); all rows of a frame without that column. Same columns and index."""
    if PARTIAL_DATE not in observations.columns:
        return observations
    return observations[observations[PARTIAL_DATE].isna()]


def partial_year(observations: pd.DataFrame) -> pd.DataFrame:
    """The rows of an observations frame that cover part of their year (a
    :data:`PARTIAL_DATE` is given); the complement of :func:`full_year`."""
    if PARTIAL_DATE not in observations.columns:
        return observations.iloc[0:0]
    return observations[observations[PARTIAL_DATE].notna()]


@dataclass
class Dataset:
    """Everything an assessment needs, loaded and cross-checked together.

    ``observations`` is the tidy frame of :func:`dxlib.data.load_observations` (one row per
    published value: ``geo, indicator, year, value, ...`` and :data:`PARTIAL_DATE`); ``indicators``
    the catalogue indexed by indicator; ``geos`` the geography list (None without one);
    ``files`` the files read. ``declared`` is the registry as written, before a stand-in was
    switched to the plan's own measure (:func:`dxlib.data.use_own_measures`); ``registry`` is
    the one switched on ``observations``. None when no switch applies. ``definitions``: what the
    observations' definition labels mean (:func:`dxlib.data.load_definitions`; None: unknown).
    """

    registry: TargetRegistry
    indicators: pd.DataFrame
    observations: pd.DataFrame
    geos: pd.DataFrame | None = None
    files: list[Path] = field(default_factory=list)
    declared: TargetRegistry | None = None
    definitions: pd.DataFrame | None = None

    def as_of(self, year: int | None) -> Dataset:
        """The dataset as it stood in the vintage ``year``: only observations whose reference
        ``year`` is at most ``year`` (full-year and partial-year values alike), and the registry
        with the stand-ins switched to the plan's own measure on those observations only (from
        ``declared``); the dataset itself for ``None`` (all data). Catalogue and geographies are
        shared."""
        if year is None:
            return self
        obs = self.observations
        cut = obs[obs["year"] <= year]
        registry = self.registry
        if self.declared is not None:
            from dxlib.data.standins import use_own_measures  # the rule lives with the loaders

            registry = use_own_measures(self.declared, cut)
        return dataclasses.replace(self, observations=cut, registry=registry)

    def full_year(self) -> pd.DataFrame:
        """The observations that are a full year's value (:func:`full_year`)."""
        return full_year(self.observations)

    def partial_year(self) -> pd.DataFrame:
        """The observations that cover part of their year (:func:`partial_year`)."""
        return partial_year(self.observations)
