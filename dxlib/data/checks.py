"""Checks of a loaded dataset against what a command or notebook run asks of it, made before any
long work starts: an ``as_of`` year before every observation, a target whose deadline precedes
all the data of its series, a ratio target whose denominator is 0 in some year. Each raises one
of dxlib's errors with a message naming the file, row or YAML path, what was found and what was
expected.

The loaders of :mod:`dxlib.data` check each file and the files against one another; these
checks concern the *question* (which year, which target) rather than the files.
"""

from __future__ import annotations

import difflib
from typing import Any

import pandas as pd

from dxlib.errors import DataValidationError, ParameterError, Problem, display_path
from dxlib.model import full_year, series_indicators


def _where(row: Any) -> str:
    file = row.get("source_file")
    src = row.get("source_row")
    if file is None or (isinstance(file, float) and pd.isna(file)):
        return ""
    return f"{file} row {int(src)}" if src is not None and not pd.isna(src) else str(file)


def earliest_observation(ds: Any) -> tuple[int, str] | None:
    """``(year, "file row N")`` of the earliest observation of the dataset, or ``None`` when it
    has none."""
    obs = ds.observations
    if obs is None or len(obs) == 0:
        return None
    first = obs.sort_values(["year", "source_file", "source_row"], kind="stable").iloc[0]
    return int(first["year"]), _where(first)


def check_as_of(ds: Any, as_of: int | None, *, name: str = "--as-of") -> None:
    """Raise :class:`~dxlib.errors.ParameterError` when ``as_of`` is earlier than every
    observation (nothing would be left to assess); ``None`` means all data and always passes.

    ``name`` is how the caller calls the value in the message (an option or a manifest path).
    """
    if as_of is None:
        return
    first = earliest_observation(ds)
    if first is None:
        raise ParameterError(f"{name}: found {as_of}, but the dataset has no observations; "
                             "expected observation files with at least one row")
    year, where = first
    if as_of < year:
        raise ParameterError(
            f"{name}: found {as_of}, which is before the earliest observation ({year}, {where}); "
            f"expected a year from {year} on (or no as-of year to use all data)"
        )


def check_geo(ds: Any, geo: str | None, *, name: str = "geo") -> None:
    """Raise :class:`~dxlib.errors.ParameterError` when a notebook's ``geo`` names no
    geography of the dataset: not in the geography list (``geos``) when one is loaded, else
    neither the plan's geography nor one with observations. ``None``/empty means the plan's."""
    if not geo:
        return
    if ds.geos is not None:
        known = set(ds.geos.index)
    else:
        known = set(ds.observations["geo"]) | {ds.registry.geo}
    if geo not in known:
        close = difflib.get_close_matches(geo, sorted(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else " (or none for the plan's own)"
        raise ParameterError(f"{name}: found {geo!r}, which is not a geography of the dataset; "
                             f"expected a geography id of its geography list{hint}")


def deadline_problems(ds: Any) -> list[Problem]:
    """One problem per numeric target whose deadline is earlier than the first full-year
    observation of every series it uses (at the target's geography): such a target can be
    neither observed nor forecast at its deadline."""
    reg = ds.registry
    file = display_path(reg.path) if reg.path is not None else "(target registry)"
    obs = full_year(ds.observations)
    problems: list[Problem] = []
    for i, (tid, t) in enumerate(reg.targets.iterrows()):
        if t.get("kind") == "milestone" or pd.isna(t.get("deadline")):
            continue
        deadline = int(t["deadline"])
        geo = t.get("geo") if isinstance(t.get("geo"), str) else reg.geo
        firsts = []
        for ind in series_indicators(t):
            rows = obs[(obs["indicator"] == ind) & (obs["geo"] == geo)]
            if len(rows):
                first = rows.sort_values(["year", "source_file", "source_row"], kind="stable").iloc[0]
                firsts.append((int(first["year"]), ind, _where(first)))
        if firsts and all(year > deadline for year, _, _ in firsts):
            year, ind, where = min(firsts)
            problems.append(Problem(
                file, f"targets[{i}] ({tid}).deadline", "",
                f"{deadline}, before the first observation of '{ind}' for {geo} ({year}, {where})",
                "a deadline in or after the first year with data",
                "data that start after the deadline can neither show nor forecast the outcome",
            ))
    return problems


def ratio_problems(ds: Any) -> list[Problem]:
    """One problem per ratio target (``numerator`` / ``denominator``) whose denominator has a
    full-year value of 0 or less in a year up to the target's deadline, at the target's own
    geography or (for a target of the plan's geography, which ``--geo`` may assess anywhere) at
    any geography: the ratio is undefined there (infinite, which would read as "met early")."""
    reg = ds.registry
    file = display_path(reg.path) if reg.path is not None else "(target registry)"
    obs = full_year(ds.observations)
    problems: list[Problem] = []
    for i, (tid, t) in enumerate(reg.targets.iterrows()):
        den = t.get("denominator")
        if not isinstance(den, str) or not isinstance(t.get("numerator"), str):
            continue
        rows = obs[(obs["indicator"] == den) & (obs["value"] <= 0)
                   & (obs["year"] <= int(t["deadline"]))]
        if isinstance(t.get("geo"), str) and t["geo"] != reg.geo:
            rows = rows[rows["geo"] == t["geo"]]
        if len(rows):
            first = rows.sort_values(["year", "source_file", "source_row"], kind="stable").iloc[0]
            more = f" and {len(rows) - 1} more" if len(rows) > 1 else ""
            problems.append(Problem(
                file, f"targets[{i}] ({tid}).denominator", "",
                f"'{den}', whose value for {first['geo']} in {int(first['year'])} is "
                f"{first['value']:g} ({_where(first)}{more})",
                "a denominator above 0 in every year up to the deadline "
                f"{int(t['deadline'])}",
                "a ratio over 0 is undefined: correct the observation, or remove it",
            ))
    return problems


def check_dataset(ds: Any) -> None:
    """Raise :class:`~dxlib.errors.DataValidationError` listing :func:`deadline_problems` and
    :func:`ratio_problems`."""
    problems = deadline_problems(ds) + ratio_problems(ds)
    if problems:
        raise DataValidationError(problems)


def check_request(ds: Any, as_of: int | None = None, *, name: str = "--as-of") -> None:
    """Everything above for one assessment request: the target deadlines
    (:func:`check_dataset`), then the ``as_of`` year (:func:`check_as_of`)."""
    check_dataset(ds)
    check_as_of(ds, as_of, name=name)
