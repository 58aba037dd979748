"""Single-series targets (level, share, count, index; growth targets are handed on to
:mod:`dxlib.engine.targets_growth`): the observed outcome at the deadline, an early meeting, or
the forecast probability, and the required versus observed growth (see
:mod:`dxlib.engine.attainment`).
"""

from __future__ import annotations

import math

import numpy as np

from dxlib.engine.censoring import assess_with_bounds
from dxlib.engine.context import AssessmentContext, YearSeries
from dxlib.engine.rules import cagr, compare, note, snap_to_bounds
from dxlib.engine.targets_growth import assess_growth


def assess_single(row: dict, t: dict, key: tuple[str, str], ctx: AssessmentContext) -> dict:
    """Fill ``row`` (an :data:`~dxlib.engine.attainment.ASSESSMENT_COLUMNS` dict) for target
    ``t`` on the series ``key`` = (geo, indicator) and return it. Rows whose probability comes
    from the forecast's exact marginal are queued in ``ctx.pending`` and completed by
    :func:`dxlib.engine.attainment.assess_dataset`."""
    deadline = row["deadline"]
    h, bounds, _, own = ctx.view(key, deadline)  # only the values up to the deadline
    if not own:  # read under another definition than the series' forecast was made from
        ctx = ctx.blind()
    cmp_, value = t["comparator"], float(t["value"])
    pv = ctx.partial.get(key)
    if pv is not None:
        row.update(partial_value=pv[0], partial_date=pv[1])
    if bounds:  # the latest values are only bounds: dxlib.engine.censoring's rules
        return assess_with_bounds(row, t, key, h, bounds, ctx)
    if h is None or not len(h.years):
        row.update(status="insufficient_data",
                   note=note("no_full_year_partial" if pv is not None else "no_full_year"))
        return row
    first_year = h.years.min()
    keep = h.years <= deadline
    if not keep.any():
        row.update(status="insufficient_data",
                   note=note("none_by_deadline", deadline=deadline, first_year=int(first_year)))
        return row
    upto = YearSeries(h.years[keep], h.values[keep])
    years, vals = upto
    last_year, last_value = int(years[-1]), float(vals[-1])
    row.update(last_year=last_year, last_value=last_value, n_obs=len(years))

    if t["kind"] == "growth":
        return assess_growth(row, t, key, upto, ctx)

    # deterministic measures
    if len(years) >= 2:
        row["observed_growth"] = cagr(float(vals[0]), last_value, last_year - int(years[0]))
    if deadline > last_year:
        row["required_growth"] = cagr(last_value, value, deadline - last_year)
    if row["required_growth"] and not math.isnan(row["required_growth"]) \
            and abs(row["required_growth"]) > 1e-9 and not math.isnan(row["observed_growth"]):
        row["growth_ratio"] = row["observed_growth"] / row["required_growth"]

    kind, lower, upper = ctx.bounds[key[1]]
    judged = snap_to_bounds(vals, kind, lower, upper, threshold=value)  # toward the threshold only
    if judged[-1] != vals[-1]:
        row["note"] = note("at_bound", value=last_value, bound=float(judged[-1]))
    if last_year == deadline:
        met = bool(compare(judged[-1], cmp_, value))
        row.update(status="achieved" if met else "not_achieved", probability=1.0 if met else 0.0,
                   method="observed")
        return row
    ends = ctx.ends.get(key[1])
    if ends is not None and deadline > ends:  # the series stops before the deadline
        row.update(status="insufficient_data", note=note("series_ends", ends=ends, deadline=deadline))
        return row
    sid = f"{key[0]}|{key[1]}"
    forecastable = len(years) >= 2 and sid in ctx.methods
    met_now = bool(compare(judged[-1], cmp_, value))  # the latest value meets the target
    if forecastable:
        # probability and projection exact from the predictive distribution, computed for all
        # such rows at once at the end of assess_dataset
        row["method"] = ctx.methods.get(sid)
        ctx.pending.append((row, sid, deadline, cmp_, value, not met_now))
    if met_now:
        meeting = compare(judged, cmp_, value)
        first_met = int(years[len(meeting) - np.argmin(meeting[::-1])]) if not meeting.all() \
            else int(years[0])
        said = (note("met_holds", met_year=first_met, deadline=deadline) if forecastable
                else note("met_one_observation", met_year=first_met))
        row.update(status="met_early", note=(*(row["note"] or ()), *said))
        return row
    if not forecastable:
        row.update(status="insufficient_data",
                   note=note("one_observation" if len(years) == 1 else "no_forecast"))
        return row
    return row  # status set from the probability at the end of assess_dataset
