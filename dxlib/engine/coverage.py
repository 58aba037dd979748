"""Data coverage: which targets have data, how many years, from which sources; what is missing."""

from __future__ import annotations

import pandas as pd

from dxlib.model import Dataset, full_year, partial_year, series_geo, series_indicators


def target_coverage(ds: Dataset, geo: str | None = None) -> pd.DataFrame:
    """One row per target: ``target_id, pillar, kind, indicator, geo, proxy (bool), owner,
    n_years`` (distinct full-year observations of its series), ``years`` (text such as
    "2020-2022, 2024"), ``n_partial`` (partial-year values), ``n_sources``, ``coverage``
    (``milestone`` / ``unmapped`` / ``no_data`` / ``partial`` (only partial-year values) /
    ``one_year`` / ``series``).

    ``geo`` replaces the plan's geography for targets that do not name their own series geo.
    """
    reg = ds.registry
    obs = ds.observations
    rows = []
    for tid, t in reg.targets.iterrows():
        sgeo = series_geo(t, reg.geo, geo)
        inds = series_indicators(t)
        sel = obs[(obs["geo"] == sgeo) & obs["indicator"].isin(inds)]
        full = full_year(sel)
        years = sorted(full["year"].unique()) if len(inds) <= 1 else sorted(
            set.intersection(*[set(full.loc[full["indicator"] == i, "year"]) for i in inds]))
        if t["kind"] == "milestone":
            cov = "milestone"
        elif not inds:
            cov = "unmapped"
        elif not years and sel.empty:
            cov = "no_data"
        elif not years and len(inds) > 1:
            cov = "no_data"  # a ratio needs both series in the same year
        elif not years:
            cov = "partial"
        elif len(years) == 1:
            cov = "one_year"
        else:
            cov = "series"
        rows.append({
            "target_id": tid, "pillar": t["pillar"], "kind": t["kind"],
            "indicator": t["indicator"] if isinstance(t["indicator"], str) else (
                f"{t['numerator']} / {t['denominator']}" if isinstance(t["numerator"], str) else None),
            "geo": sgeo, "proxy": isinstance(t["proxy"], str), "owner": t["owner"],
            "n_years": len(years), "years": format_years(years),
            "n_partial": len(partial_year(sel)),
            "n_sources": int(sel["source_url"].nunique()), "coverage": cov,
        })
    return pd.DataFrame(rows)


def format_years(years) -> str:
    """[2019, 2020, 2021, 2024] -> "2019-2021, 2024"."""
    years = sorted(int(y) for y in years)
    if not years:
        return ""
    runs: list[list[int]] = [[years[0], years[0]]]
    for y in years[1:]:
        if y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def validation_summary(ds: Dataset) -> str:
    """The text ``dx validate`` prints: the plan, targets per pillar and how many are mapped to
    data, observations per geography, and the coverage of each target."""
    reg = ds.registry
    cov = target_coverage(ds)
    lines = [f"OK: {reg.plan['id']}: {reg.plan['title_en']} ({len(reg.targets)} targets, "
             f"deadline {reg.plan['deadline']})", "", "Targets per pillar:"]
    for pid, pillar in reg.pillars.iterrows():
        c = cov[cov["pillar"] == pid]
        mapped = int((~c["coverage"].isin(["unmapped", "milestone"])).sum())
        lines.append(
            f"  {pillar['name_en']:<24} {len(c):>2} targets, {mapped:>2} mapped to a series, "
            f"{int((c['coverage'] == 'series').sum()):>2} with 2+ years, "
            f"{int((c['coverage'] == 'milestone').sum())} milestones")
    lines += ["", "Observations per geography:"]
    obs = ds.observations
    sizes = obs.groupby("geo").size().sort_values(ascending=False, kind="stable")
    shown = [g for g in sizes.index if sizes[g] >= 5 or g == reg.geo]
    for geo in shown:
        g = obs[obs["geo"] == geo]
        lines.append(f"  {geo:<16} {len(g):>4} values, {g['indicator'].nunique():>3} indicators, "
                     f"{format_years(g['year'].unique())}")
    rest = sizes.drop(shown)
    if len(rest):
        lines.append(f"  ({len(rest)} more geographies with {int(rest.sum())} values: comparison "
                     "cross-sections such as the DTI 2022 ranking)")
    lines += ["", f"{len(obs)} observations from {obs['source_file'].nunique()} files, "
              f"{obs['source_url'].nunique()} distinct sources", "", "Coverage of each target:"]
    for _, r in cov.iterrows():
        what = r["indicator"] if isinstance(r["indicator"], str) else "-"
        lines.append(f"  {r['target_id']:<7} {r['coverage']:<9} {what} @ {r['geo']}"
                     + (f": {r['years']}" if r["years"] else "")
                     + (" (proxy)" if r["proxy"] else ""))
    return "\n".join(lines)


def unused_summary(unused: pd.DataFrame, shown: int = 20) -> str:
    """Text for ``dx validate``: how many observation rows no target uses, per file, and the
    first ``shown`` of them (file, row, geo, indicator, year) from files outside
    ``data/observations/`` (a department's rows that would silently be ignored)."""
    if unused.empty:
        return "\nEvery observation row is used by a target."
    lines = [f"\nObservation rows no target uses: {len(unused)} (context series, other "
             "geographies, or an indicator no target names)"]
    for f, n in unused.groupby("source_file", sort=True).size().items():
        lines.append(f"  {f}: {n} rows")
    own = unused[~unused["source_file"].str.startswith("data/observations/")]
    for r in own.head(shown).itertuples(index=False):
        lines.append(f"  - {r.source_file}, row {r.source_row}: {r.geo}, {r.indicator}, {r.year}")
    if len(own) > shown:
        lines.append(f"  ... and {len(own) - shown} more")
    return "\n".join(lines)
