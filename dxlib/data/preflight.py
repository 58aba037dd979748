"""The plan's checks of a batch, before any notebook starts (handed to
:func:`dxlib.batch.run_batch` as its ``preflight`` by ``dx reports``).

The batch runner knows notebooks and parameters; this module knows what the plan notebooks'
parameters mean: ``targets``, ``observations``, ``indicators`` and ``geos`` name the data files,
``as_of`` and ``compare_as_of`` are years of the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from dxlib import paths
from dxlib.errors import ParameterError, display_path

#: Parameters holding a year of the data that must not precede every observation.
YEAR_PARAMETERS = ("as_of", "compare_as_of")


class _Run(Protocol):
    slug: str
    entry: str
    defaults: dict[str, str]

    def value(self, name: str) -> Any: ...


def plan_preflight(specs: Sequence[_Run], manifest: Path) -> None:
    """For every run of a notebook that declares ``targets`` (the plan notebooks): its dataset
    loads without problems, no target's deadline precedes all its data, ``as_of`` and
    ``compare_as_of`` are not before the earliest observation and ``compare_as_of`` is before
    ``as_of``. Raises :class:`~dxlib.errors.DxError` naming the manifest entry and the run."""
    from dxlib.data import load_dataset
    from dxlib.data.checks import check_as_of, check_dataset, check_geo

    datasets: dict[tuple, Any] = {}
    problems: list[str] = []
    for s in specs:
        if "targets" not in s.defaults or not isinstance(s.value("targets"), str):
            continue
        obs = s.value("observations") or []
        obs = [obs] if isinstance(obs, str) else list(obs)
        add = s.value("add_observations") if "add_observations" in s.defaults else []
        add = [add] if isinstance(add, str) else list(add or [])
        files = (s.value("targets"), tuple(obs), s.value("indicators"), s.value("geos"), tuple(add))
        if files not in datasets:
            targets, obs_files, indicators, geos, add_files = files
            ds = load_dataset(
                paths.resolve(targets),
                [paths.resolve(f) for f in obs_files] or None,
                paths.resolve(indicators) if isinstance(indicators, str) and indicators else None,
                paths.resolve(geos) if isinstance(geos, str) and geos else None,
                add_observations=[paths.resolve(f) for f in add_files],
            )
            check_dataset(ds)
            datasets[files] = ds
        run = f"{display_path(manifest)}, {s.entry} (run {s.slug}) parameter"
        for name in YEAR_PARAMETERS:
            value = s.value(name)
            if isinstance(value, int) and not isinstance(value, bool):
                try:
                    check_as_of(datasets[files], value, name=f"{run} {name}")
                except ParameterError as exc:
                    problems.append(str(exc))
        if "geo" in s.defaults and isinstance(s.value("geo"), str):
            try:
                check_geo(datasets[files], s.value("geo"), name=f"{run} geo")
            except ParameterError as exc:
                problems.append(str(exc))
        as_of, compare = s.value("as_of"), s.value("compare_as_of")
        if isinstance(as_of, int) and isinstance(compare, int) and compare >= as_of:
            problems.append(f"{run} compare_as_of: found {compare}; expected a year before as_of ({as_of})")
    if problems:
        n = len(problems)
        raise ParameterError(
            "\n".join([f"{n} problem{'s' if n != 1 else ''} before running the batch:"]
                      + [f"- {p}" for p in problems])
        )
