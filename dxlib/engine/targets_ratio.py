"""Ratio targets (numerator / denominator, x100 when the unit is %): the observed ratio, else the
probability from samples of both series at the deadline, joint when both are forecast.

As for single series (:mod:`dxlib.engine.censoring`), each series gives only its exact values
up to the deadline under its current definition: a bound or values under an earlier
definition are left out of the ratio's years and named in the note (the bound is not used to
condition the ratio's forecast); when too little is left, no probability, and the note says why.
"""

from __future__ import annotations

import numpy as np

from dxlib.engine.censoring import _said, note_break
from dxlib.engine.context import AssessmentContext, YearSeries
from dxlib.engine.rules import (
    cagr,
    compare,
    fill_projection,
    note,
    snap_to_bounds,
    status_from_probability,
)


def _ratio_parts(num: tuple[str, str], hn: YearSeries, den: tuple[str, str], hd: YearSeries,
                 deadline: int, ctx: AssessmentContext
                 ) -> tuple[np.ndarray | None, np.ndarray | None, str]:
    """Samples (n_samples,) of numerator and denominator at the deadline and the method words.
    Both forecast: jointly, with the latent correlation estimated from their past year-on-year
    changes (:meth:`~dxlib.engine.forecast.Forecast.step_correlation`); one observed: that
    value with the other's forecast."""
    sid_n, sid_d = f"{num[0]}|{num[1]}", f"{den[0]}|{den[1]}"
    obs_n, obs_d = (deadline in h.years for h in (hn, hd))
    if ctx.fc is not None and not obs_n and not obs_d and len(hn.years) >= 2 \
            and len(hd.years) >= 2 and sid_n in ctx.methods and sid_d in ctx.methods:
        rho, m = ctx.fc.step_correlation(sid_n, sid_d)
        joint = ctx.fc.joint_samples([sid_n, sid_d], deadline, np.array([[1, rho], [rho, 1]]))
        if joint is not None:
            return joint[:, 0], joint[:, 1], (f"ratio of two forecasts (joint, correlation "
                                              f"{rho:.2f} from {m} years)")
    sn = ctx.path_at(num, hn, deadline) if len(hn.years) >= 2 or obs_n else None
    sd = ctx.path_at(den, hd, deadline) if len(hd.years) >= 2 or obs_d else None
    return sn, sd, "ratio of a forecast and an observed value"


def assess_ratio(row: dict, t: dict, sgeo: str, inds: list[str], ctx: AssessmentContext) -> dict:
    """A target on numerator / denominator (x100 when the unit is %), with the notes of the
    bounds and definition breaks of both series left out of its years."""
    num, den = (sgeo, inds[0]), (sgeo, inds[1])
    deadline = row["deadline"]
    vn, vd = ctx.view(num, deadline), ctx.view(den, deadline)
    row = _ratio(row, t, num, vn.history, den, vd.history, ctx, vn.own and vd.own)
    bounds = [*vn.bounds, *vd.bounds]
    if bounds:  # left out of the ratio's years (never used as exact), named
        row["bound"] = "/".join(sorted({b.side for b in bounds}))
        row["note"] = (*(row["note"] or ()), *_said(bounds))
    for v in (vn, vd):
        note_break(row, v.brk)
    row["definition"] = None if not (vn.brk or vd.brk) else "/".join(
        str(v.brk["definition"]) if v.brk else "" for v in (vn, vd)) or None
    return row


def _ratio(row: dict, t: dict, num: tuple[str, str], hn: YearSeries | None, den: tuple[str, str],
           hd: YearSeries | None, ctx: AssessmentContext, forecast_ok: bool) -> dict:
    """The ratio target on the exact histories ``hn``, ``hd`` (up to the deadline); the series'
    forecasts are used only when ``forecast_ok`` (both histories under the series' definition)."""
    deadline = row["deadline"]
    cmp_, value = t["comparator"], float(t["value"])
    scale = 100.0 if t["unit"] == "%" else 1.0
    if hn is None or hd is None:
        row.update(status="insufficient_data", note=note("ratio_no_data"))
        return row
    years, i_n, i_d = np.intersect1d(hn.years, hd.years, assume_unique=True, return_indices=True)
    keep = years <= deadline
    if not keep.any():
        row.update(status="insufficient_data", note=note("ratio_no_common_year"))
        return row
    years = years[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = hn.values[i_n[keep]] / hd.values[i_d[keep]] * scale
    if not np.isfinite(ratio).all():  # a denominator of 0 (dxlib.data.checks refuses it too)
        zero = int(years[~np.isfinite(ratio)][0])
        row.update(status="insufficient_data", note=note("ratio_zero_denominator", first_year=zero))
        return row
    row.update(last_year=int(years[-1]), last_value=float(ratio[-1]), n_obs=len(years))
    if scale == 100.0:  # a share: the bound tolerance applies as for observed shares
        ratio = snap_to_bounds(ratio, "share", 0.0, 100.0, threshold=value)  # toward the threshold only
    if len(years) >= 2:
        row["observed_growth"] = cagr(float(ratio[0]), float(ratio[-1]), int(years[-1] - years[0]))
    if int(years[-1]) == deadline:
        met = bool(compare(ratio[-1], cmp_, value))
        row.update(status="achieved" if met else "not_achieved", probability=float(met),
                   method="observed")
        return row
    row["required_growth"] = cagr(float(ratio[-1]), value, deadline - int(years[-1]))
    sn, sd, how = _ratio_parts(num, hn, den, hd, deadline, ctx) if forecast_ok else (None, None, "")
    samples = sn / sd * scale if sn is not None and sd is not None else None
    if samples is not None:
        if scale == 100.0 and ratio.max() <= 100.0:  # a share in % stays within its bounds
            samples = snap_to_bounds(np.clip(samples, 0.0, 100.0), "share", 0.0, 100.0)
        fill_projection(row, samples)
        row["probability"] = float(np.mean(compare(samples, cmp_, value)))
        row["method"] = how
    if compare(ratio[-1], cmp_, value):
        row["status"] = "met_early"
        return row
    if samples is None:
        short = min(len(hn.years), len(hd.years)) < 2  # else no forecast of the deadline year
        row.update(status="insufficient_data",
                   note=note("ratio_too_short" if short else "no_deadline_forecast"))
        return row
    row["status"] = status_from_probability(row["probability"]) or "insufficient_data"
    return row
