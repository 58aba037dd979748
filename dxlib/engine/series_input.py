"""Validation of the long input frame of :func:`dxlib.engine.forecast.forecast`: one record of
per-series arrays (kind, transform code, bounds, reference class, first/last year) and the
observed values. Raises ValueError naming the series and the problem."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dxlib.engine.scales import T_LOG, T_LOG1P, T_LOGIT, T_RANK, T_RAW
from dxlib.model import KINDS  # one definition, shared with the data loaders
from dxlib.profiles import DEFAULT_CLASS, REFERENCE_CLASSES


def _series_attr(df: pd.DataFrame, col: str, codes: np.ndarray, ids: np.ndarray) -> list[Any]:
    """Per-series constant value of an optional column (None when absent/empty)."""
    out: list[Any] = [None] * len(ids)
    if col not in df.columns:
        return out
    sub = pd.DataFrame({"c": codes, "v": df[col].to_numpy()}).dropna()
    for c, vals in sub.groupby("c")["v"]:
        u = pd.unique(vals)
        if len(u) > 1:
            raise ValueError(f"series {ids[c]!r}: column '{col}' is not constant ({list(u)})")
        out[c] = u[0]
    return out


def prepare(history: pd.DataFrame) -> dict[str, Any]:
    """Validate the long frame and return per-series arrays and the observations."""
    missing = [c for c in ("series_id", "year", "value") if c not in history.columns]
    if missing:
        raise ValueError(f"history lacks column(s) {missing}; needs series_id, year, value")
    df = history.reset_index(drop=True)
    years = pd.to_numeric(df["year"], errors="coerce").to_numpy(float)
    if np.isnan(years).any() or (years != np.round(years)).any():
        bad = df.loc[np.isnan(years) | (years != np.round(years)), ["series_id", "year"]].iloc[0]
        raise ValueError(f"series {bad['series_id']!r}: year {bad['year']!r} is not an integer")
    codes, ids = pd.factorize(df["series_id"], sort=True)
    ids = np.asarray(ids, dtype=object)
    dup = pd.DataFrame({"c": codes, "y": years}).duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise ValueError(f"series {ids[codes[i]]!r}: year {int(years[i])} appears more than once")
    values = pd.to_numeric(df["value"], errors="coerce").to_numpy(float)
    kinds = _series_attr(df, "kind", codes, ids)
    lowers = _series_attr(df, "lower", codes, ids)
    uppers = _series_attr(df, "upper", codes, ids)
    classes = _series_attr(df, "reference_class", codes, ids)
    ok = ~np.isnan(values)
    S = len(ids)
    n_obs = np.bincount(codes[ok], minlength=S)
    yr = years.astype(np.int64)
    first = np.full(S, np.iinfo(np.int64).max)
    last = np.full(S, np.iinfo(np.int64).min)
    np.minimum.at(first, codes[ok], yr[ok])
    np.maximum.at(last, codes[ok], yr[ok])
    vmin = np.full(S, np.inf)
    vmax = np.full(S, -np.inf)
    np.minimum.at(vmin, codes[ok], values[ok])
    np.maximum.at(vmax, codes[ok], values[ok])
    code = np.full(S, T_RAW)
    lo = np.full(S, np.nan)
    hi = np.full(S, np.nan)
    kind_out: list[str] = []
    class_out: list[str] = []
    for i in range(S):
        k = kinds[i]
        k = None if k is None or (isinstance(k, str) and not k.strip()) else str(k).strip()
        if k is not None and k not in KINDS:
            raise ValueError(f"series {ids[i]!r}: kind {k!r} is not one of {KINDS}")
        lw = None if lowers[i] is None else float(lowers[i])
        up = None if uppers[i] is None else float(uppers[i])
        if k in ("share", "index"):
            lw = 0.0 if lw is None else lw
            up = 100.0 if up is None else up
            if not up > lw:
                raise ValueError(f"series {ids[i]!r}: upper {up} must exceed lower {lw}")
            if n_obs[i] and (vmin[i] < lw or vmax[i] > up):
                raise ValueError(
                    f"series {ids[i]!r}: values outside the bounds [{lw:g}, {up:g}] of a {k}")
            code[i] = T_LOGIT
        elif k == "rank":
            if up is None:
                raise ValueError(f"series {ids[i]!r}: a rank needs 'upper' = number of units N")
            lw = 1.0
            if n_obs[i] and (vmin[i] < 1 or vmax[i] > up):
                raise ValueError(f"series {ids[i]!r}: ranks outside [1, {up:g}]")
            code[i] = T_RANK
        elif k == "count":
            if n_obs[i] and vmin[i] < 0:
                raise ValueError(f"series {ids[i]!r}: negative value in a count")
            code[i] = T_LOG1P
        else:  # level or inferred
            k = "level"
            code[i] = T_LOG if (n_obs[i] == 0 or vmin[i] > 0) else T_RAW
        lo[i] = np.nan if lw is None else lw
        hi[i] = np.nan if up is None else up
        kind_out.append(k)
        rc = classes[i]
        rc = DEFAULT_CLASS[k] if rc is None or not str(rc).strip() else str(rc).strip()
        if rc not in REFERENCE_CLASSES:
            raise ValueError(f"series {ids[i]!r}: reference_class {rc!r} is not one of "
                             f"{REFERENCE_CLASSES}")
        class_out.append(rc)
    return {"ids": ids, "codes": codes[ok], "years": yr[ok], "values": values[ok],
            "n_obs": n_obs, "first": first, "last": last, "code": code, "lo": lo, "hi": hi,
            "kind": kind_out, "reference_class": class_out}
