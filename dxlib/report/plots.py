"""Figures for the reports, drawn with seaborn (axes-level functions) in the house colours and words.

Every function takes tidy frames and an optional ``ax=``, returns the axes (their figure is
``ax.figure``) and never calls ``show()``; every figure has a title (a default one in the report's
language unless ``title=`` is given). Colours and words come from :mod:`dxlib.report.words`, and
tick values are written like the tables' numbers (:func:`dxlib.report.fmt.axis_formatter`: "27,5"
in Vietnamese, "50%" on probability axes). Long names are wrapped at word boundaries, never cut.
seaborn is imported here only, on the first figure, so importing dxlib stays fast; the fan chart
and the interval chart are plain matplotlib on seaborn's theme. The default font (DejaVu Sans)
draws Vietnamese diacritics.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pandas as pd

from dxlib.report import fmt
from dxlib.report import words as i18n

_THEMED = False

#: the house colours of the figures (published values, forecast ranges, target, reference lines)
INK, BAND_80, BAND_95, TARGET, GREY = "#1f4e79", "#4292c6", "#9ecae1", "#b3261e", "#777777"


def _sns():
    """seaborn, with the house theme applied once (whitegrid, DejaVu Sans, bold titles)."""
    global _THEMED
    import seaborn as sns

    if not _THEMED:
        sns.set_theme(style="whitegrid", font="DejaVu Sans", rc={
            "figure.dpi": 96, "savefig.dpi": 96, "figure.figsize": (9, 4.5),
            "axes.titleweight": "bold", "axes.titlesize": 12, "axes.titlelocation": "left",
            "figure.constrained_layout.use": True,
            # data text ("US$ / US$", "$\\alpha$") is drawn as written, never parsed as math
            # text (which italicises or crashes on it)
            "text.parse_math": False})
        _THEMED = True
    return sns


def _ax(ax, figsize=None):
    _sns()
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def wrap(text: str, width: int = 40) -> str:
    """``text`` broken into lines of at most ``width`` characters at spaces (a word longer than
    ``width`` keeps its own line whole): for tick labels and titles that must not be cut."""
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


def _title(ax, title: str | None, key: str, lang: str, pad: float = 6.0) -> None:
    ax.set_title(wrap(title if title else i18n.label(key, lang), 70), pad=pad)


def _percent_axis(ax, lang: str, axis: str = "x") -> None:
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(fmt.axis_formatter(lang, 0, "%"))


def _legend_below(ax, ncol: int = 4) -> None:
    sns = _sns()
    if ax.get_legend() is not None:
        sns.move_legend(ax, "upper center", bbox_to_anchor=(0.5, -0.2), ncol=ncol, frameon=False,
                        fontsize=9, title=None)


def _legend_under(ax, ncol: int = 3) -> None:
    """Every labelled line and band of ``ax`` in one legend under the x axis label (none on
    the data, where the target and deadline labels are)."""
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=ncol,
              frameon=False, fontsize=8)


def status_by_pillar(assessment: pd.DataFrame, pillars: pd.DataFrame, lang: str, ax=None,
                     title: str | None = None) -> Any:
    """Horizontal stacked bars: for each pillar (rows of ``pillars``, in report order), the number
    of targets in each status, coloured like traffic lights, the count written in each part."""
    sns = _sns()
    names = {p: wrap(i18n.name(pillars, p, lang), 28) for p in pillars.index}
    ax = _ax(ax, (9, 0.6 * len(pillars) + 2.2))
    present = [s for s in i18n.STATUS_ORDER if s in set(assessment["status"])]
    tidy = pd.DataFrame({"pillar": assessment["pillar"].map(names),
                         "status": assessment["status"].map(lambda s: i18n.status_word(s, lang))})
    order = [i18n.status_word(s, lang) for s in present]
    tidy["pos"] = tidy["pillar"].map({n: k for k, n in enumerate(names.values())})
    # seaborn stacks the last hue first: reversed, the best status is drawn at the left
    sns.histplot(data=tidy, y="pos", hue="status", multiple="stack", discrete=True, shrink=0.75,
                 hue_order=order[::-1],
                 palette={i18n.status_word(s, lang): i18n.STATUS_COLORS[s] for s in present},
                 edgecolor="white", alpha=1, ax=ax)
    legend = ax.get_legend()
    if legend is not None:  # legend in report order (best first)
        handles = list(legend.legend_handles)[::-1]
        ax.legend(handles, [t.get_text() for t in legend.get_texts()][::-1])
    ax.set_yticks(range(len(names)), list(names.values()))  # every pillar, in report order
    ax.set_ylim(len(names) - 0.5, -0.5)
    for bars in ax.containers:
        labels = [str(int(b.get_width())) if b.get_width() else "" for b in bars]
        ax.bar_label(bars, labels=labels, label_type="center", fontsize=9)
    ax.set_ylabel("")
    ax.set_xlabel(i18n.label("n_targets", lang))
    ax.xaxis.get_major_locator().set_params(integer=True)
    fmt.localise_axes(ax, lang, y=False)
    ax.grid(axis="y", visible=False)
    _legend_below(ax)
    _title(ax, title, "chart_status_by_pillar", lang)
    return ax


def probability_chart(assessment: pd.DataFrame, lang: str, ax=None, title: str | None = None) -> Any:
    """One dot per target at its probability of attainment (0–100 %), coloured by status, with the
    on-track (70 %) and off-track (30 %) cut-offs labelled. Targets without a probability have no
    dot: their status is written after their id on the axis."""
    from dxlib.engine.attainment import STATUS_CUTOFFS

    sns = _sns()
    a = assessment.reset_index(drop=True)
    ax = _ax(ax, (9, 0.34 * len(a) + 1.9))
    labels = [tid if pd.notna(p) else f"{tid} · {i18n.status_word(s, lang)}"
              for tid, p, s in zip(a["target_id"], a["probability"], a["status"], strict=True)]
    tidy = pd.DataFrame({"pos": np.arange(len(a)), "pct": 100 * a["probability"].astype(float),
                         "status": [i18n.status_word(s, lang) for s in a["status"]]})
    scored = tidy.dropna(subset=["pct"])
    palette = {i18n.status_word(s, lang): c for s, c in i18n.STATUS_COLORS.items()}
    ax.hlines(scored["pos"], 0, scored["pct"], color="#dddddd", lw=1, zorder=1)
    sns.scatterplot(data=scored, x="pct", y="pos", hue="status", palette=palette, s=80,
                    edgecolor="black", linewidth=0.5, zorder=3, ax=ax, legend=False)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    hi, lo = STATUS_CUTOFFS
    for cut, key in ((100 * lo, "off_track"), (100 * hi, "on_track")):
        ax.axvline(cut, color=GREY, ls="--", lw=0.8)
        ax.annotate(i18n.status_word(key, lang), (cut, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, 2), textcoords="offset points", fontsize=8, color=GREY, va="bottom")
    ax.set_xlim(-4, 104)  # a dot at 0 % or 100 % is drawn whole
    ax.set_xticks(range(0, 101, 20))
    _percent_axis(ax, lang)
    ax.set_xlabel(i18n.label("probability", lang))
    ax.set_ylabel("")
    ax.grid(axis="y", visible=False)
    _title(ax, title, "chart_probability", lang, pad=22)  # room for the cut-off labels
    return ax


def coverage_heatmap(observations: pd.DataFrame, indicators: pd.DataFrame, lang: str,
                     ax=None, width: int = 44, title: str | None = None) -> Any:
    """Indicator x year grid of the number of published values (full-year and partial-year
    together); blank where nothing is published. Indicator names are wrapped at ``width``
    characters."""
    sns = _sns()
    if observations.empty:
        ax = _ax(ax)
        ax.text(0.5, 0.5, "—", ha="center", va="center")
        _title(ax, title, "chart_coverage", lang)
        return ax
    grid = observations.groupby(["indicator", "year"]).size().unstack(fill_value=0)
    years = list(range(int(grid.columns.min()), int(grid.columns.max()) + 1))
    grid = grid.reindex(columns=years, fill_value=0)
    names = [wrap(i18n.name(indicators, i, lang), width) for i in grid.index]
    lines = sum(n.count("\n") + 1 for n in names)
    ax = _ax(ax, (10, 0.2 * lines + 0.12 * len(names) + 2.4))
    frame = pd.DataFrame(grid.to_numpy(dtype=float), index=names, columns=[str(y) for y in years])
    sns.heatmap(frame.where(frame > 0), cmap="Blues", vmin=0, vmax=3, annot=True, fmt=".0f",
                annot_kws={"fontsize": 8}, cbar=False, linewidths=0.5, linecolor="#eeeeee",
                square=False, ax=ax)
    ax.grid(False)  # the theme's grid would cross the cells
    ax.tick_params(axis="y", labelsize=8, rotation=0)
    ax.tick_params(axis="x", rotation=90)
    ax.set_ylabel("")
    ax.set_xlabel(i18n.label("year", lang))
    _title(ax, title, "chart_coverage", lang)
    return ax


def _reference_lines(ax, lang: str, target_value: float | None, deadline: int | None,
                     x0: float | None = None, unit: str | None = None) -> None:
    """The target as a dotted red line (up to the deadline when ``x0`` is given) and the deadline
    as a grey vertical line, each labelled on the chart."""
    if target_value is not None and not pd.isna(target_value):
        label = i18n.label("target_line", lang)
        if x0 is not None:
            x1 = float(deadline) if deadline else float(ax.get_xlim()[1])
            ax.hlines(target_value, x0, x1, colors=TARGET, linestyles=":", lw=1.5, label=label)
            if deadline:
                ax.scatter([deadline], [target_value], marker="*", s=160, color=TARGET, zorder=4)
        else:
            ax.axhline(target_value, color=TARGET, ls=":", lw=1.5, label=label)
        ax.annotate(f"{label}: {i18n.value_text(target_value, unit, lang)}", (0.0, target_value),
                    xycoords=("axes fraction", "data"), xytext=(4, 3), textcoords="offset points",
                    fontsize=8, color=TARGET, va="bottom")
    if deadline:
        ax.axvline(deadline, color=GREY, lw=0.8, ls="-")
        # above the plotting area, clear of the data and of the target's label
        ax.annotate(f"{i18n.label('deadline', lang)} {deadline}", (deadline, 1.0),
                    xycoords=("data", "axes fraction"), xytext=(0, 3), textcoords="offset points",
                    fontsize=8, color=GREY, ha="center", va="bottom")


def _year_axis(ax, lang: str, unit: str | None) -> None:
    ax.set_xlabel(i18n.label("year", lang))
    ax.set_ylabel(i18n.unit_word(unit, lang) if unit else "")
    ax.xaxis.get_major_locator().set_params(integer=True)
    fmt.localise_axes(ax, lang, x=False)


def fan_chart(history: pd.DataFrame, forecast: pd.DataFrame | None, lang: str, *,
              target_value: float | None = None, deadline: int | None = None,
              unit: str | None = None, title: str | None = None, ax=None) -> Any:
    """Published values (dots and line), the forecast median with its 80 % and 95 % ranges
    (``forecast`` columns year, median, q_0.1, q_0.9, q_0.025, q_0.975) and the target as a
    labelled horizontal line up to its labelled deadline (matplotlib on seaborn's theme)."""
    ax = _ax(ax)
    h = history.sort_values("year")
    ax.plot(h["year"], h["value"], "o-", color=INK, label=i18n.label("history", lang), zorder=3)
    if forecast is not None and len(forecast):
        f = forecast.sort_values("year")
        last = h.iloc[-1]
        years = np.r_[last["year"], f["year"].to_numpy()]

        def joined(col):
            return np.r_[last["value"], f[col].to_numpy()]

        if "q_0.025" in f:
            ax.fill_between(years, joined("q_0.025"), joined("q_0.975"), color=BAND_95, alpha=0.4,
                            label=i18n.label("band_95", lang), lw=0)
        ax.fill_between(years, joined("q_0.1"), joined("q_0.9"), color=BAND_80, alpha=0.45,
                        label=i18n.label("band_80", lang), lw=0)
        ax.plot(years, joined("median"), "--", color="#08306b", label=i18n.label("forecast", lang))
    if len(h):
        _reference_lines(ax, lang, target_value, deadline, x0=float(h["year"].min()), unit=unit)
    _year_axis(ax, lang, unit)
    _title(ax, title, "chart_fan", lang, pad=16 if deadline else 6)
    _legend_under(ax)
    return ax


def coverage_chart(table: pd.DataFrame, lang: str, ax=None, title: str | None = None) -> Any:
    """Empirical coverage of the 80 % and 95 % ranges by history length (``table`` columns
    history, coverage_80, coverage_95), against the nominal levels (labelled dashed lines)."""
    sns = _sns()
    ax = _ax(ax, (9, 4))
    tidy = table.melt(id_vars="history", value_vars=["coverage_80", "coverage_95"],
                      var_name="level", value_name="coverage")
    tidy["level"] = tidy["level"].map({"coverage_80": "80%", "coverage_95": "95%"})
    tidy["coverage"] = 100 * tidy["coverage"]
    palette = {"80%": BAND_80, "95%": "#08519c"}
    sns.barplot(data=tidy, x="history", y="coverage", hue="level", palette=palette, ax=ax)
    for level, color in ((80, BAND_80), (95, "#08519c")):
        ax.axhline(level, color=color, ls="--", lw=1)
    ax.set_ylim(0, 105)
    _percent_axis(ax, lang, "y")
    ax.set_xlabel(i18n.label("history_length", lang))
    ax.set_ylabel(i18n.label("empirical", lang))
    sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9,
                    title=i18n.label("nominal", lang))
    _title(ax, title, "chart_coverage_rate", lang)
    return ax


def interval_chart(frame: pd.DataFrame, labels: list[str], lang: str, ax=None,
                   title: str | None = None) -> Any:
    """Forecast 80 % ranges (``q_0.1``, ``q_0.9``, ``median``) against what was then observed
    (``observed``), one row per labelled series, each scaled to its own median (observed / median),
    so series in different units share one axis."""
    ax = _ax(ax, (9, 0.42 * len(frame) + 2.0))
    f = frame.reset_index(drop=True)
    y = np.arange(len(f))[::-1]
    scale = f["median"].abs().replace(0, np.nan)
    lo, hi, obs = f["q_0.1"] / scale, f["q_0.9"] / scale, f["observed"] / scale
    inside = (f["observed"] >= f["q_0.1"]) & (f["observed"] <= f["q_0.9"])
    ax.hlines(y, lo, hi, color=BAND_80, lw=6, alpha=0.6, label=i18n.label("interval_80", lang))
    ax.scatter(np.ones(len(f)), y, marker="|", s=120, color="#08306b")
    ax.scatter(obs, y, s=50, zorder=3, label=i18n.label("observed", lang),
               color=np.where(inside, "#1a7f37", TARGET), edgecolor="black", linewidth=0.5)
    ax.set_yticks(y, [wrap(s, 48) for s in labels])
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel(i18n.label("observed", lang) + " / " + i18n.label("median", lang))
    fmt.localise_axes(ax, lang, y=False)
    _legend_under(ax)
    _title(ax, title, "chart_intervals", lang)
    return ax


def scenario_chart(history: pd.DataFrame, scenarios: pd.DataFrame, lang: str, *,
                   target_value: float | None = None, deadline: int | None = None,
                   unit: str | None = None, title: str | None = None, ax=None) -> Any:
    """Published values and one projected line per scenario (``scenarios`` columns scenario, year,
    value; seaborn lines, one colour and dash each), with the target and the deadline labelled."""
    sns = _sns()
    ax = _ax(ax)
    h = history.sort_values("year")
    ax.plot(h["year"], h["value"], "o-", color=INK, label=i18n.label("history", lang), zorder=3)
    names = list(dict.fromkeys(scenarios["scenario"]))
    sns.lineplot(data=scenarios, x="year", y="value", hue="scenario", style="scenario",
                 hue_order=names, style_order=names, palette="viridis", ax=ax)
    _reference_lines(ax, lang, target_value, deadline, unit=unit)
    _year_axis(ax, lang, unit)
    _legend_under(ax)
    _title(ax, title, "chart_scenarios", lang, pad=16 if deadline else 6)
    return ax


def pit_histogram_bins(shares, lang: str, ax=None, title: str | None = None) -> Any:
    """A PIT histogram given as bin shares (e.g. 10 values summing to 1): bars relative to the
    uniform height 1 (the labelled red line), which calibrated forecasts reach. The x axis is
    where the observed value fell in its forecast distribution (0 % = below all of it)."""
    sns = _sns()
    ax = _ax(ax, (8, 3.6))
    shares = np.asarray(shares, dtype=float)
    k = len(shares)
    edges = np.linspace(0, 1, k + 1)
    bins = pd.DataFrame({"pit": (edges[:-1] + edges[1:]) / 2, "height": shares * k})
    sns.histplot(data=bins, x="pit", weights="height", bins=k, binrange=(0, 1), stat="count", color="#6baed6",
                 edgecolor="white", alpha=1, ax=ax)
    ax.axhline(1.0, color=TARGET, ls="--", lw=1, label=i18n.label("pit_ideal", lang))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), frameon=False, fontsize=9)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(fmt.axis_formatter(lang, 0, "%"))
    ax.set_xticks(np.linspace(0, 1, 6), [fmt.percent(v, lang) for v in np.linspace(0, 1, 6)])
    ax.set_xlabel(i18n.label("pit_axis", lang))
    ax.set_ylabel(i18n.label("relative_frequency", lang))
    fmt.localise_axes(ax, lang, x=False)
    _title(ax, title, "chart_pit", lang)
    return ax


def comparison_chart(table: pd.DataFrame, lang: str, ax=None, title: str | None = None) -> Any:
    """Share of outcomes inside the nominal 80 % ranges per method and source (``table`` columns
    method, source, coverage_80 in [0, 1]), against the nominal 80 % (labelled)."""
    sns = _sns()
    ax = _ax(ax, (9, 0.5 * table["method"].nunique() + 2.2))
    tidy = table.assign(coverage=100 * table["coverage_80"])
    sns.barplot(data=tidy, y="method", x="coverage", hue="source", palette="Blues_r", ax=ax)
    for bars in ax.containers:
        ax.bar_label(bars, labels=[fmt.percent(b.get_width() / 100, lang) for b in bars],
                     fontsize=8, padding=2)
    ax.axvline(80, color=TARGET, ls="--", lw=1, label=i18n.label("nominal", lang) + " 80%")
    ax.set_xlim(0, 108)
    _percent_axis(ax, lang)
    ax.set_xlabel(i18n.label("inside_80_share", lang))
    ax.set_ylabel("")
    ax.set_yticks(ax.get_yticks(), [wrap(t.get_text(), 30) for t in ax.get_yticklabels()])
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3,
              frameon=False, fontsize=9)
    _title(ax, title, "chart_comparison", lang)
    return ax


def reliability_diagram(table: pd.DataFrame, lang: str, ax=None, title: str | None = None) -> Any:
    """A reliability diagram: per probability bin, the mean probability given (x) against the
    share of targets met (y), both in per cent, one colour and line per ``group`` (``table``
    columns group, mean_p and observed in [0, 1], n = cases; one row per bin), dots sized by
    ``n``; calibrated probabilities sit on the labelled dashed diagonal."""
    from matplotlib.colors import LogNorm

    sns = _sns()
    ax = _ax(ax, (8, 7))
    tidy = table.assign(x=100 * table["mean_p"], y=100 * table["observed"]).sort_values(["group", "x"])
    groups = list(dict.fromkeys(table["group"]))
    palette = dict(zip(groups, sns.color_palette("colorblind", len(groups)), strict=True))
    ax.plot([0, 100], [0, 100], ls="--", lw=1, color=GREY, label=i18n.label("reliability_ideal", lang))
    sns.lineplot(data=tidy, x="x", y="y", hue="group", hue_order=groups, palette=palette, sort=False,
                 units="group", estimator=None, lw=1.2, ax=ax)
    sns.scatterplot(data=tidy, x="x", y="y", hue="group", hue_order=groups, palette=palette,
                    size="n", sizes=(12, 260), size_norm=LogNorm(), legend=False, alpha=0.85,
                    edgecolor="white", linewidth=0.5, ax=ax)
    ax.set(xlim=(-2, 102), ylim=(-2, 102), aspect="equal")
    for axis in ("x", "y"):
        _percent_axis(ax, lang, axis)
    ax.set_xlabel(i18n.label("reliability_x", lang))
    ax.set_ylabel(i18n.label("reliability_y", lang))
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, [wrap(t, 60) for t in labels], loc="upper center", bbox_to_anchor=(0.5, -0.12),
              ncol=2, frameon=False, fontsize=9)
    _title(ax, title, "chart_reliability", lang)
    return ax
