"""Which observation files a run reads, and which of their rows no target uses.

``observations`` names exactly the files to read (the shipped ones when empty);
``add_observations`` adds files to them, so a department's workbook is read *with* the shipped
data. On the command line both options take several paths, separated by commas or by repeating
the option (``--add-observations a.xlsx,b.csv`` = ``--add-observations a.xlsx
--add-observations b.csv``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from dxlib import paths
from dxlib.model import Dataset, series_indicators


def split_paths(values: Iterable[str | Path] | None) -> list[Path]:
    """Paths given as repeated options and/or comma-separated lists, in order, empty parts
    dropped: ``["a.csv,b.csv", "c.xlsx"]`` -> ``[a.csv, b.csv, c.xlsx]``."""
    out: list[Path] = []
    for v in values or []:
        out += [Path(p.strip()) for p in str(v).split(",") if p.strip()]
    return out


def observation_files(observations: Iterable[str | Path] | None = None,
                      add: Iterable[str | Path] | None = None) -> list[Path]:
    """The observation files a run reads: ``observations`` (exactly these) or, when empty, the
    shipped files (:func:`dxlib.paths.default_observation_files`), followed by ``add``; a file
    named twice is read once."""
    base = list(observations or []) or paths.default_observation_files()
    files: list[Path] = []
    seen: set[Path] = set()
    for f in [*base, *(add or [])]:
        key = Path(f).resolve()
        if key not in seen:
            seen.add(key)
            files.append(Path(f))
    return files


def unused_observations(ds: Dataset) -> pd.DataFrame:
    """The observation rows that no target of the registry reads: neither as its series (for a
    stand-in only at the stand-in's geography), nor as its own measure, nor as evidence of a
    milestone or target. Columns ``source_file, source_row, geo, indicator, year``."""
    reg = ds.registry
    anywhere: set[str] = set()      # indicators read for every geography assessed
    at: set[tuple[str, str]] = set()  # (geo, indicator) read at one geography only
    for t in reg.targets.to_dict("records"):
        own_geo = t.get("geo")
        for ind in series_indicators(t):
            if isinstance(own_geo, str) and own_geo != reg.geo:
                at.add((own_geo, ind))
            else:
                anywhere.add(ind)
        for ind in [*(t.get("evidence") or ()), t.get("own_indicator")]:
            if isinstance(ind, str):
                anywhere.add(ind)
    obs = ds.observations
    used = obs["indicator"].isin(anywhere) | pd.Series(
        [(g, i) in at for g, i in zip(obs["geo"], obs["indicator"], strict=True)], index=obs.index)
    cols = ["source_file", "source_row", "geo", "indicator", "year"]
    return obs.loc[~used, cols].sort_values(["source_file", "source_row"]).reset_index(drop=True)
