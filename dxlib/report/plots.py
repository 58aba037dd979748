"""Figures for the reports, in seaborn's manner on plain matplotlib.

Every function takes tidy frames and an optional ``ax=``, returns the axes and never calls
``show()``; colours and words come from :mod:`dxlib.report.words`, and tick values are written like
the tables' numbers (:func:`dxlib.report.fmt.axis_formatter`: "27,5" in Vietnamese). The look is
seaborn's "whitegrid" style sheet, which matplotlib ships; seaborn itself is not imported, because
its import (with scipy.stats) costs about 0.6 s in every notebook of a batch for two figure types
matplotlib draws just as well. Matplotlib is imported on first use, so importing dxlib stays fast.
The default font (DejaVu Sans) draws Vietnamese diacritics.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dxlib.report import fmt
from dxlib.report import words as i18n

_STYLED = False


def _plt():
    """matplotlib.pyplot with the house style applied once."""
    global _STYLED
    import matplotlib.pyplot as plt

    if not _STYLED:
        plt.style.use("seaborn-v0_8-whitegrid")
        plt.rcParams.update({"font.family": "DejaVu Sans", "figure.dpi": 96, "savefig.dpi": 96,
                             "figure.figsize": (9, 4.5), "axes.titleweight": "bold",
                             "axes.titlesize": 12,
                             # data text ("US$ / US$", "$\\alpha$") is drawn as written, never
                             # parsed as math text (which italicises or crashes on it)
                             "text.parse_math": False})
        _STYLED = True
    return plt


def _ax(ax, figsize=None):
    plt = _plt()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def status_by_pillar(assessment: pd.DataFrame, pillars: pd.DataFrame, lang: str, ax=None) -> Any:
    """Horizontal stacked bars: for each pillar (rows of ``pillars``, in report order), the number
    of targets in each status, coloured like traffic lights."""
    ax = _ax(ax, (9, 0.55 * len(pillars) + 1.6))
    counts = (assessment.groupby(["pillar", "status"]).size().unstack(fill_value=0)
              .reindex(index=list(pillars.index), columns=list(i18n.STATUS_ORDER), fill_value=0))
    left = np.zeros(len(counts))
    ylabels = [i18n.name(pillars, p, lang) for p in counts.index]
    y = np.arange(len(counts))[::-1]
    for status in counts.columns:
        v = counts[status].to_numpy()
        if v.sum() == 0:
            continue
        ax.barh(y, v, left=left, color=i18n.STATUS_COLORS[status], edgecolor="white",
                label=i18n.status_word(status, lang))
        for yi, li, vi in zip(y, left, v, strict=True):
            if vi:
                ax.text(li + vi / 2, yi, str(int(vi)), ha="center", va="center", fontsize=9)
        left += v
    ax.set_yticks(y, ylabels)
    ax.set_xlabel(i18n.label("n_targets", lang))
    fmt.localise_axes(ax, lang, y=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=4, frameon=False, fontsize=9)
    ax.grid(axis="y", visible=False)
    return ax


def probability_chart(assessment: pd.DataFrame, lang: str, ax=None) -> Any:
    """One dot per target at its probability of attainment (0-100 %), coloured by status, with the
    on-track (70 %) and off-track (30 %) cut-offs. Targets without a probability are listed at the
    left edge in grey with their status."""
    from dxlib.engine.attainment import STATUS_CUTOFFS

    a = assessment.reset_index(drop=True)
    ax = _ax(ax, (9, 0.32 * len(a) + 1.2))
    y = np.arange(len(a))[::-1]
    for yi, (_, r) in zip(y, a.iterrows(), strict=True):
        color = i18n.STATUS_COLORS[r["status"]]
        if pd.notna(r["probability"]):
            ax.plot([0, 100 * r["probability"]], [yi, yi], color="#dddddd", lw=1, zorder=1)
            ax.scatter(100 * r["probability"], yi, s=70, color=color, edgecolor="black",
                       linewidth=0.5, zorder=2)
        else:
            ax.text(1, yi, i18n.status_word(r["status"], lang), va="center", fontsize=8,
                    color="#555555")
    hi, lo = STATUS_CUTOFFS
    for cut in (100 * lo, 100 * hi):
        ax.axvline(cut, color="#888888", ls="--", lw=0.8)
    ax.set_xlim(0, 102)
    ax.set_yticks(y, a["target_id"].tolist())
    ax.set_xlabel(i18n.label("probability", lang) + " (%)")
    fmt.localise_axes(ax, lang, y=False)
    ax.grid(axis="y", visible=False)
    return ax


def coverage_heatmap(observations: pd.DataFrame, indicators: pd.DataFrame, lang: str,
                     ax=None, max_label: int = 48) -> Any:
    """Indicator x year grid of the number of published values (full-year and partial-year
    together); blank where nothing is published."""
    if observations.empty:
        ax = _ax(ax)
        ax.text(0.5, 0.5, "—", ha="center", va="center")
        return ax
    grid = observations.groupby(["indicator", "year"]).size().unstack(fill_value=0)
    years = list(range(int(grid.columns.min()), int(grid.columns.max()) + 1))
    grid = grid.reindex(columns=years, fill_value=0)
    names = [i18n.name(indicators, i, lang)[:max_label] for i in grid.index]
    ax = _ax(ax, (9, 0.28 * len(grid) + 1.5))
    values = grid.to_numpy(dtype=float)
    ax.imshow(np.where(values > 0, values, np.nan), cmap="Blues", vmin=0, vmax=3, aspect="auto",
              interpolation="nearest")
    for (i, j), v in np.ndenumerate(values):
        if v:
            ax.text(j, i, f"{int(v)}", ha="center", va="center", fontsize=8,
                    color="white" if v >= 2 else "black")
    ax.set_xticks(range(len(years)), [str(y) for y in years], rotation=90)
    ax.set_yticks(range(len(names)), names)
    ax.set_xticks(np.arange(-0.5, len(years)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(names)), minor=True)
    ax.grid(False)
    ax.grid(which="minor", color="#eeeeee", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel(i18n.label("year", lang))
    return ax


def fan_chart(history: pd.DataFrame, forecast: pd.DataFrame | None, lang: str, *,
              target_value: float | None = None, deadline: int | None = None,
              unit: str | None = None, title: str | None = None, ax=None) -> Any:
    """Published values (dots and line), the forecast median with its 80 % and 95 % ranges
    (``forecast`` columns year, median, q_0.1, q_0.9, q_0.025, q_0.975) and the target as a
    horizontal line up to its deadline."""
    ax = _ax(ax)
    h = history.sort_values("year")
    ax.plot(h["year"], h["value"], "o-", color="#1f4e79", label=i18n.label("history", lang), zorder=3)
    if forecast is not None and len(forecast):
        f = forecast.sort_values("year")
        last = h.iloc[-1]
        years = np.r_[last["year"], f["year"].to_numpy()]

        def joined(col):
            return np.r_[last["value"], f[col].to_numpy()]

        if "q_0.025" in f:
            ax.fill_between(years, joined("q_0.025"), joined("q_0.975"), color="#9ecae1", alpha=0.4,
                            label=i18n.label("band_95", lang), lw=0)
        ax.fill_between(years, joined("q_0.1"), joined("q_0.9"), color="#4292c6", alpha=0.45,
                        label=i18n.label("band_80", lang), lw=0)
        ax.plot(years, joined("median"), "--", color="#08306b", label=i18n.label("forecast", lang))
    if target_value is not None and not pd.isna(target_value):
        x0 = float(h["year"].min())
        x1 = float(deadline) if deadline else float(ax.get_xlim()[1])
        ax.hlines(target_value, x0, x1, colors="#b3261e", linestyles=":", lw=1.5,
                  label=i18n.label("target_line", lang))
        if deadline:
            ax.scatter([deadline], [target_value], marker="*", s=160, color="#b3261e", zorder=4)
    ax.set_xlabel(i18n.label("year", lang))
    if unit:
        ax.set_ylabel(i18n.unit_word(unit, lang))
    ax.xaxis.get_major_locator().set_params(integer=True)
    fmt.localise_axes(ax, lang, x=False)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize=8, frameon=False)
    return ax


def coverage_chart(table: pd.DataFrame, lang: str, ax=None) -> Any:
    """Empirical coverage of the 80 % and 95 % ranges by history length (``table`` columns
    history, coverage_80, coverage_95), against the nominal levels."""
    ax = _ax(ax, (8, 4))
    x = np.arange(len(table))
    w = 0.38
    ax.bar(x - w / 2, 100 * table["coverage_80"], w, color="#4292c6", label="80%")
    ax.bar(x + w / 2, 100 * table["coverage_95"], w, color="#08519c", label="95%")
    for level, color in ((80, "#4292c6"), (95, "#08519c")):
        ax.axhline(level, color=color, ls="--", lw=1)
    ax.set_xticks(x, [str(v) for v in table["history"]])
    ax.set_ylim(0, 105)
    ax.set_xlabel(i18n.label("history_length", lang))
    ax.set_ylabel(i18n.label("empirical", lang) + " (%)")
    fmt.localise_axes(ax, lang, x=False)
    ax.legend(title=i18n.label("nominal", lang), frameon=False, fontsize=9, loc="upper left",
              bbox_to_anchor=(1.01, 1.0))
    return ax


def interval_chart(frame: pd.DataFrame, labels: list[str], lang: str, ax=None) -> Any:
    """Forecast 80 % ranges (``q_0.1``, ``q_0.9``, ``median``) against what was then observed
    (``observed``), one row per labelled series, each scaled to its own median (observed / median),
    so series in different units share one axis."""
    ax = _ax(ax, (9, 0.35 * len(frame) + 1.4))
    f = frame.reset_index(drop=True)
    y = np.arange(len(f))[::-1]
    scale = f["median"].abs().replace(0, np.nan)
    lo, hi, obs = f["q_0.1"] / scale, f["q_0.9"] / scale, f["observed"] / scale
    inside = (f["observed"] >= f["q_0.1"]) & (f["observed"] <= f["q_0.9"])
    ax.hlines(y, lo, hi, color="#4292c6", lw=6, alpha=0.6, label=i18n.label("interval_80", lang))
    ax.scatter(np.ones(len(f)), y, marker="|", s=120, color="#08306b")
    ax.scatter(obs, y, s=50, zorder=3, label=i18n.label("observed", lang),
               color=np.where(inside, "#1a7f37", "#b3261e"), edgecolor="black", linewidth=0.5)
    ax.set_yticks(y, labels)
    ax.set_xlabel(i18n.label("observed", lang) + " / " + i18n.label("median", lang))
    fmt.localise_axes(ax, lang, y=False)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    return ax


def scenario_chart(history: pd.DataFrame, scenarios: pd.DataFrame, lang: str, *,
                   target_value: float | None = None, deadline: int | None = None,
                   unit: str | None = None, title: str | None = None, ax=None) -> Any:
    """Published values and one projected line per scenario (``scenarios`` columns scenario, year,
    value), with the target."""
    plt = _plt()
    ax = _ax(ax)
    h = history.sort_values("year")
    ax.plot(h["year"], h["value"], "o-", color="#1f4e79", label=i18n.label("history", lang), zorder=3)
    names = list(dict.fromkeys(scenarios["scenario"]))
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.85, max(len(names), 1)))
    styles = ["-", "--", "-.", ":"]
    for k, name in enumerate(names):
        sc = scenarios[scenarios["scenario"] == name].sort_values("year")
        ax.plot(sc["year"], sc["value"], styles[k % len(styles)], color=colors[k], label=name)
    if target_value is not None:
        ax.axhline(target_value, color="#b3261e", ls=":", lw=1.5, label=i18n.label("target_line", lang))
    if deadline:
        ax.axvline(deadline, color="#888888", lw=0.8)
    ax.set_xlabel(i18n.label("year", lang))
    ax.set_ylabel(i18n.unit_word(unit, lang))
    ax.xaxis.get_major_locator().set_params(integer=True)
    fmt.localise_axes(ax, lang, x=False)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False, fontsize=8)
    return ax


def pit_histogram_bins(shares, lang: str, ax=None) -> Any:
    """A PIT histogram given as bin shares (e.g. 10 values summing to 1): bars relative to the
    uniform height 1, which calibrated forecasts reach."""
    ax = _ax(ax, (8, 3.5))
    shares = np.asarray(shares, dtype=float)
    k = len(shares)
    edges = np.linspace(0, 1, k + 1)
    ax.bar(edges[:-1], shares * k, width=1 / k, align="edge", color="#6baed6", edgecolor="white")
    ax.axhline(1.0, color="#b3261e", ls="--", lw=1)
    ax.set_xlim(0, 1)
    ax.set_xlabel("PIT")
    ax.set_ylabel(i18n.label("relative_frequency", lang))
    fmt.localise_axes(ax, lang)
    return ax
