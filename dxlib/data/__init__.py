"""Load and validate the data files: the indicator catalogue, the target registry and the
observations.

Every loader reads the whole input, collects *every* problem it finds and raises one
:class:`~dxlib.errors.DataValidationError` listing them, each naming the file, the row (counting
the header as row 1, as a spreadsheet shows it) or YAML path, the column, what was found and what
was expected. Nothing is half-loaded: a loader either returns typed, tidy frames or raises.

Files
-----
``data/indicators.csv``
    one row per observed series: ``indicator, name_vi, name_en, unit, kind, lower, upper,
    higher_is_better, definition``.
``data/geos.csv`` (optional)
    ``geo, name_vi, name_en, level``.
``data/targets/*.yaml``
    the plan: ``plan``, optional ``departments``, ``pillars`` and ``targets`` (see data/README.md).
``data/observations/*.csv`` or ``*.xlsx``
    long format, one row per published value: ``geo, indicator, year, value, unit, source_url,
    source_title, published, quote, confidence`` and optional ``as_of`` (the date of a
    partial-year value), ``note``. A column named ``value_vi`` instead of ``value`` declares
    Vietnamese number format ("1.234,5", "85,75%").

Modules
-------
:mod:`~dxlib.data.tables` (CSV/XLSX, header names, numbers), :mod:`~dxlib.data.yamlio` (the
strict YAML reader), :mod:`~dxlib.data.schema` (pydantic errors as YAML paths and lines),
:mod:`~dxlib.data.catalogue` (indicators, geographies), :mod:`~dxlib.data.registry` (targets),
:mod:`~dxlib.data.observations`, :mod:`~dxlib.data.inputs` (which observation files a run reads),
:mod:`~dxlib.data.standins` (a stand-in replaced by the plan's own measure),
:mod:`~dxlib.data.checks` (checks of a request against a loaded dataset),
:mod:`~dxlib.data.preflight` (the plan's checks of a batch), :mod:`~dxlib.data.template` (the
Excel entry template). The objects they return are
those of :mod:`dxlib.model`, re-exported here; import public names from this package.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from dxlib import paths
from dxlib.data.catalogue import (
    GEO_COLUMNS,
    INDICATOR_COLUMNS,
    load_definitions,
    load_geos,
    load_indicators,
)
from dxlib.data.inputs import observation_files, split_paths, unused_observations
from dxlib.data.observations import (
    CONFIDENCE,
    OBSERVATION_COLUMNS,
    OBSERVATION_OPTIONAL,
    YEAR_RANGE,
    load_observations,
)
from dxlib.data.registry import TARGET_KINDS, load_targets
from dxlib.data.schema import RuleError, StrictModel, pydantic_problems, yaml_where
from dxlib.data.standins import use_own_measures
from dxlib.data.tables import check_columns, parse_number, read_table, read_text
from dxlib.data.yamlio import StrictLoader, read_yaml
from dxlib.errors import DataValidationError, Problem
from dxlib.model import (
    BOUNDS,
    GRADES,
    KINDS,
    PARTIAL_DATE,
    STAND_IN_GRADES,
    Dataset,
    TargetRegistry,
    full_year,
    partial_year,
    series_geo,
    series_indicators,
    target_grade,
)

__all__ = [
    "BOUNDS", "GRADES", "STAND_IN_GRADES", "observation_files", "split_paths", "target_grade",
    "unused_observations", "use_own_measures",
    "CONFIDENCE", "GEO_COLUMNS", "INDICATOR_COLUMNS", "KINDS", "OBSERVATION_COLUMNS",
    "OBSERVATION_OPTIONAL", "PARTIAL_DATE", "TARGET_KINDS", "YEAR_RANGE", "Dataset", "RuleError",
    "StrictLoader", "StrictModel", "TargetRegistry", "check_columns", "full_year", "load_dataset",
    "load_definitions", "load_geos", "load_indicators", "load_observations", "load_targets", "parse_number",
    "partial_year", "pydantic_problems", "read_table", "read_text", "read_yaml", "series_geo",
    "series_indicators", "yaml_where",
]


def load_dataset(
    targets: str | Path | None = None,
    observations: str | Path | Iterable[str | Path] | None = None,
    indicators: str | Path | None = None,
    geos: str | Path | None = None,
    add_observations: Iterable[str | Path] | None = None,
) -> Dataset:
    """Load and cross-check the catalogue, geographies, registry and observations; defaults are
    the shipped files. All problems of all files are reported together. A target scored on a
    stand-in switches to its ``own_indicator`` when the observations hold a full-year exact value
    of that measure for the plan's geography (:func:`use_own_measures`; re-decided by
    :meth:`Dataset.as_of` on the data up to its year). ``add_observations`` are read in addition to
    ``observations`` (or to the shipped files when that is None)."""
    if add_observations:
        obs_in = [observations] if isinstance(observations, (str, Path)) else observations
        observations = observation_files(obs_in, add_observations)
    problems: list[Problem] = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except DataValidationError as exc:
            problems.extend(exc.problems)
            return None

    ind = attempt(load_indicators, indicators)
    geo = attempt(load_geos, geos)
    reg = attempt(load_targets, targets, ind, geo)
    obs = attempt(load_observations, observations, ind, geo)
    definitions = attempt(load_definitions)
    if problems:
        raise DataValidationError(problems)
    files = [reg.path] if reg.path else []
    files += sorted({paths.resolve(f) for f in obs["source_file"]})
    # the plan's own measure once it has a full-year value; Dataset.as_of re-decides on its cut
    return Dataset(registry=use_own_measures(reg, obs), indicators=ind, observations=obs,
                   geos=geo, files=files, declared=reg, definitions=definitions)
