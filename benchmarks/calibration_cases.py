"""Cases of the attainment-calibration benchmark: (probability, outcome) pairs for plan-like
targets on data the method never trained on, for dxlib and two baselines.

Protocol 1, M3 yearly hold-out: each of the 645 series is cut to the last k points of its
training part (k in :data:`M3_K`), forecast 6 years ahead, and asked about synthetic plan
targets with threshold ``last * (1 + g)^h`` (g in :data:`M3_G`, h = 1..6): the *level* target
``Y_h >= threshold``, the *growth* target "CAGR from the last observation to year h >= g" (the
same event, through the engine's growth code) and the *yoy* target ``Y_h / Y_{h-1} - 1 >= g``.
Outcomes: the 6 hold-out values.

Protocol 2, adoption panel (real shares, 0-100): at origin year O (2013, 2017) a country's last k
observed values up to O (its last observation in O itself), targets ``value >= last + d``
(d in :data:`PANEL_D`) in each observed year O+1..O+6. Thresholds outside (0, 100] are certain or
impossible and are dropped. Outcomes judged at the bound as the engine does (within 0.5 pp of 100
counts as 100). Any folder of panels in the same tidy format can be scored (:func:`panel_specs`):
a panel bounded above (by its ``manifest.csv`` or, without a bound there, by values that never
exceed 100) is a share of that bound (d in % of the bound); an unbounded one (mobile
subscriptions per 100 people, up to 416) is forecast as a level (log scale, histories of positive
values) with targets ``value >= last * (1 + d / 100)`` (d in % of the last value).

Baselines, on the same transformed scale as dxlib (log for M3, logit for shares): a random walk
with drift (drift = mean step, sigma = sd of steps, predictive variance
``sigma^2 h (1 + h / (k - 1))``; needs k >= 3) and statsmodels damped ETS (ETSModel A,Ad,N,
Gaussian predictive with its own variance; fitted on every 20th M3 history and every 10th panel
history only, to keep the benchmark under 2 minutes; its Brier score is compared with dxlib's on
the same cases).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from dxlib.forecast import forecast

H = 6
M3_K = (2, 3, 4, 5, 6, 8)
M3_G = (-0.1, 0.0, 0.05, 0.1, 0.2, 0.3)
PANEL_FILES = ("internet_users_pct", "fixed_broadband_subscriptions_per100",
               "account_ownership_pct_age15plus")
PANEL_ORIGINS = (2013, 2017)
PANEL_K = (3, 4, 6)
#: two-value histories, reported apart (not in the goals): the thin-data forecasts that plan
#: series with two published values get (no baseline: drift and spread need three values)
PANEL_K_THIN = (2,)
PANEL_D = (-5.0, 0.0, 2.0, 5.0, 10.0, 20.0)
BOUND_TOL = 0.005  # as dxlib.engine.forecast.BOUND_TOL (judging outcomes at the bound)
#: statsmodels ETS is fitted on every n-th history only (its fits take 10-130 ms each)
ETS_EVERY_M3 = 20
ETS_EVERY_PANEL = 10
N_SAMPLES = 2000


def wide(hist: pd.DataFrame) -> pd.DataFrame:
    """Long (series_id, value in time order) -> one row per series, columns 0..k-1."""
    return hist.assign(pos=hist.groupby("series_id").cumcount()).pivot(
        index="series_id", columns="pos", values="value")


# ------------------------------------------------------------------ baselines
def rw_drift(Z: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random walk with drift on rows of Z (S, k) (no gaps): mean (S, len(h)), sd (S, len(h)),
    drift (S,), sd of one step including drift uncertainty (S,). NaN where k < 3."""
    k = Z.shape[1]
    d = np.diff(Z, axis=1)
    drift = d.mean(1)
    sig = d.std(1, ddof=1) if k >= 3 else np.full(len(Z), np.nan)
    sig = np.maximum(sig, 1e-6)
    mu = Z[:, -1:] + drift[:, None] * h[None, :]
    sd = sig[:, None] * np.sqrt(h[None, :] * (1 + h[None, :] / (k - 1)))
    return mu, sd, drift, sig * np.sqrt(1 + 1 / (k - 1))


def ets_damped(Z: np.ndarray, every: int) -> tuple[np.ndarray, np.ndarray]:
    """statsmodels ETSModel (additive error, additive damped trend) per row of Z on every
    ``every``-th row: mean and sd (S, H); NaN for rows not fitted or failed fits."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    mu = np.full((len(Z), H), np.nan)
    sd = np.full((len(Z), H), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(0, len(Z), every):
            y = pd.Series(Z[i][~np.isnan(Z[i])])
            try:
                fit = ETSModel(y, error="add", trend="add", damped_trend=True).fit(disp=False)
                pr = fit.get_prediction(start=len(y), end=len(y) + H - 1)
                mu[i] = np.asarray(pr.predicted_mean, float)
                sd[i] = np.sqrt(np.maximum(np.asarray(pr.var_pred_mean, float), 1e-12))
            except Exception:  # noqa: BLE001 - a failed fit is a missing baseline value
                continue
    return mu, sd


def upper_normal(cut: np.ndarray, mu: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """P(X >= cut) for X ~ N(mu, sd)."""
    return norm.sf((cut - mu) / sd)


# ------------------------------------------------------------------ M3
def m3_frames(data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training rows (series_id, year, value) and the hold-out (S, 6) frame indexed by id."""
    df = pd.read_csv(data / "m3_yearly_long.csv").sort_values(["series_id", "t"])
    train = df[df["split"] == "train"][["series_id", "year", "value"]]
    test = df[df["split"] == "test"].copy()
    test["h"] = test.groupby("series_id").cumcount() + 1
    return train, test.pivot(index="series_id", columns="h", values="value")


def growth_mc(fc, ids: np.ndarray, last: np.ndarray, thr_cagr: np.ndarray,
              g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo from the joint sample paths (what the engine did before issue 10): P(CAGR
    from the last value to year h >= g) and P(yoy growth in year h >= g), both (S, H, len(g))."""
    S = len(ids)
    pc = np.full((S, H, len(g)), np.nan)
    py = np.full((S, H, len(g)), np.nan)
    for i, sid in enumerate(ids):
        y = fc.samples(sid)
        if y is None:
            continue
        pc[i] = (y[:, :, None] >= thr_cagr[i][None]).mean(0)
        prev = np.concatenate([np.full((len(y), 1), last[i]), y[:, :-1]], axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            yo = y / prev - 1
        py[i] = (yo[:, :, None] >= g[None, None, :]).mean(0)
    return pc, py


def growth_engine(fc, ids: np.ndarray, last: np.ndarray, thr_cagr: np.ndarray,
                  g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the engine does since issue 10: growth from an observed base (the last value: every
    CAGR target, and yoy at h = 1) exact from the marginal with
    :func:`dxlib.engine.attainment.cagr_probability`; yoy at h >= 2 (base year forecast too)
    by Monte Carlo from the joint sample paths. Both (S, H, len(g))."""
    from dxlib.engine.attainment import cagr_probability

    S = len(ids)
    _, py = growth_mc(fc, ids, last, thr_cagr, g)
    years = fc.series.loc[ids, "last_year"].to_numpy(int)
    rid = np.repeat(ids, H * len(g))
    yy = np.repeat(years[:, None] + np.arange(1, H + 1), len(g), axis=1).ravel()
    span = np.tile(np.repeat(np.arange(1, H + 1), len(g)), S)
    pc = cagr_probability(fc, rid, yy, np.repeat(last, H * len(g)), span, ">=",
                          np.tile(g * 100, S * H)).reshape(S, H, len(g))
    r1 = np.repeat(ids, len(g))
    py[:, 0, :] = cagr_probability(fc, r1, np.repeat(years + 1, len(g)), np.repeat(last, len(g)),
                                   np.ones(len(r1)), ">=", np.tile(g * 100, S)).reshape(S, len(g))
    return pc, py


def m3_cases(data: Path, growth_fn: Callable | None = None, ets: bool = True) -> tuple[
        pd.DataFrame, pd.DataFrame]:
    """All M3 cases (one row per series x k x h x g x family) and the interval frame for
    coverage (one row per series x k x h). ``growth_fn(fc, ids, last, thr, g)`` returns the
    growth and yoy probabilities (S, H, G); default :func:`growth_engine`."""
    train, test = m3_frames(data)
    g = np.array(M3_G)
    hh = np.arange(1, H + 1)
    frames, cover = [], []
    for k in M3_K:
        hist = train.groupby("series_id").tail(k).copy()
        ids0 = np.sort(hist["series_id"].unique())
        hist["series_id"] = hist["series_id"] + f"#k{k}"
        hist["kind"] = "level"
        fc = forecast(hist, H, n_samples=N_SAMPLES, seed=0)
        ids = np.char.add(ids0.astype(str), f"#k{k}")
        Z = np.log(wide(hist).loc[ids].to_numpy(float))
        last = np.exp(Z[:, -1])
        last_year = fc.series.loc[ids, "last_year"].to_numpy(int)
        act = test.loc[ids0, hh].to_numpy(float)  # (S, H)
        thr = last[:, None, None] * (1 + g[None, None, :]) ** hh[None, :, None]  # (S, H, G)
        S = len(ids)
        rid = np.repeat(ids, H * len(g))
        years = np.broadcast_to((last_year[:, None] + hh[None, :])[:, :, None], thr.shape).ravel()
        p_level = fc.prob_many(rid, years, ">=", thr.ravel()).reshape(thr.shape)
        fn = growth_fn or growth_engine
        p_growth, p_yoy = fn(fc, ids, last, thr, g)
        out_level = act[:, :, None] >= thr
        prev = np.concatenate([last[:, None], act[:, :-1]], axis=1)
        out_yoy = (act / prev - 1)[:, :, None] >= g[None, None, :]
        mu, sd, drift, sd1 = rw_drift(Z, hh.astype(float))
        n_level = upper_normal(np.log(thr), mu[:, :, None], sd[:, :, None])
        n_yoy = upper_normal(np.log1p(g)[None, None, :], drift[:, None, None], sd1[:, None, None])
        n_yoy = np.broadcast_to(n_yoy, thr.shape)
        if ets and k >= 3:
            emu, esd = ets_damped(Z, ETS_EVERY_M3)
            e_level = upper_normal(np.log(thr), emu[:, :, None], esd[:, :, None])
        else:
            e_level = np.full(thr.shape, np.nan)
        base = {"protocol": "m3", "file": "m3_yearly", "origin": 0, "k": k,
                "h": np.broadcast_to(hh[None, :, None], thr.shape).ravel(),
                "x": np.broadcast_to(g[None, None, :], thr.shape).ravel(),
                "series": np.repeat(ids0, H * len(g))}
        for fam, p, o, pn, pe in (("level", p_level, out_level, n_level, e_level),
                                  ("growth", p_growth, out_level, n_level, e_level),
                                  ("yoy", p_yoy, out_yoy, n_yoy, np.full(thr.shape, np.nan))):
            frames.append(pd.DataFrame({**base, "family": fam, "p": p.ravel(),
                                        "outcome": o.ravel().astype(float),
                                        "p_naive": pn.ravel(), "p_ets": pe.ravel()}))
        q = fc.quantiles_many(np.repeat(ids, H), (last_year[:, None] + hh).ravel(),
                              [0.5, 0.1, 0.9, 0.025, 0.975])
        cover.append(pd.DataFrame({"protocol": "m3", "file": "m3_yearly", "origin": 0, "k": k,
                                   "h": np.tile(hh, S), "actual": act.ravel(),
                                   "q50": q[:, 0], "q10": q[:, 1], "q90": q[:, 2],
                                   "q025": q[:, 3], "q975": q[:, 4]}))
    return pd.concat(frames, ignore_index=True), pd.concat(cover, ignore_index=True)


# ------------------------------------------------------------------ adoption panel
PANEL_COLUMNS = ("country_code", "year", "value")


@dataclass(frozen=True)
class Panel:
    """One panel file: ``name`` (file stem), its rows (country_code, year, value; sorted) and its
    upper bound (a share of ``upper``; ``None``: unbounded, forecast as a level)."""

    name: str
    rows: pd.DataFrame
    upper: float | None

    @property
    def kind(self) -> str:
        return "level" if self.upper is None else "share"


def _read_csv(path: Path, **kw) -> pd.DataFrame:
    """A CSV file, or SystemExit with one line naming it if it cannot be read as one."""
    try:
        return pd.read_csv(path, **kw)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise SystemExit(f"{path}: not a readable UTF-8 CSV table "
                         f"({type(e).__name__}: {str(e).splitlines()[0][:120]})") from None


def _manifest_bounds(data: Path) -> dict[str, float]:
    """Upper bounds named by ``data/manifest.csv`` (columns ``file``, ``upper_bound``; blank =
    none), by file name; empty without a manifest. A bound must be a finite number above 0."""
    path = data / "manifest.csv"
    if not path.is_file():
        return {}
    m = _read_csv(path, dtype=str, keep_default_na=False)
    if not {"file", "upper_bound"} <= set(m.columns):
        raise SystemExit(f"{path}: columns {list(m.columns)}; expected 'file' and 'upper_bound'")
    out = {}
    for i, (f, u) in enumerate(zip(m["file"], m["upper_bound"], strict=True)):
        if not u.strip():
            continue
        bound = pd.to_numeric(u, errors="coerce")
        if not (np.isfinite(bound) and bound > 0):
            raise SystemExit(f"{path}: row {i + 2}: upper_bound {u!r}; expected a finite number "
                             "above 0 or blank (unbounded)")
        out[Path(f).name] = float(bound)
    return out


def panel_specs(data: Path, files: Sequence[str] | None = None) -> list[Panel]:
    """The panels of folder ``data`` to score: ``files`` (stems or file names), or by default the
    three panels of issue 10 (:data:`PANEL_FILES`) when the folder holds them all, else every
    ``*.csv`` in it but ``manifest.csv``. Bad input raises SystemExit with one line (file, what
    was found, what was expected; rows counted with the header as row 1, as a spreadsheet does).
    An unbounded panel (no bound, values above 100) may not hold negative values; its zeros stay
    as outcomes (a history is forecast on the log scale from positive values only)."""
    if files:
        names = [Path(f).stem for f in files]
        if len(set(names)) < len(names):
            raise SystemExit(f"--files: found {', '.join(files)}; expected each panel once")
    elif all((data / f"{n}.csv").is_file() for n in PANEL_FILES):
        names = list(PANEL_FILES)
    else:
        names = sorted(p.stem for p in data.glob("*.csv") if p.name != "manifest.csv")
    if not names:
        raise SystemExit(f"{data}: no panel files (*.csv with columns "
                         f"{', '.join(PANEL_COLUMNS)}) found")
    bounds = _manifest_bounds(data)
    out = []
    for name in names:
        path = data / f"{name}.csv"
        if not path.is_file():
            raise SystemExit(f"{path}: no such panel file")
        df = _read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in PANEL_COLUMNS if c not in df.columns]
        if missing:
            raise SystemExit(f"{path}: columns {list(df.columns)}; expected "
                             f"{', '.join(PANEL_COLUMNS)}")
        if df.empty:
            raise SystemExit(f"{path}: no rows; expected one row per country and year")
        year = pd.to_numeric(df["year"], errors="coerce")
        value = pd.to_numeric(df["value"], errors="coerce")
        bad = (year.isna() | (year != year.round()) | ~year.between(1800, 2100) | value.isna()
               | ~np.isfinite(value))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise SystemExit(f"{path}: row {i + 2}: year {df['year'].iloc[i]!r}, value "
                             f"{df['value'].iloc[i]!r}; expected a whole year 1800-2100 and a "
                             "finite number")
        df = df.assign(year=year.astype(int), value=value.astype(float))
        if df.duplicated(["country_code", "year"]).any():
            r = df[df.duplicated(["country_code", "year"])].iloc[0]
            raise SystemExit(f"{path}: {r['country_code']} {r['year']} appears twice; expected "
                             "one value per country and year")
        upper = bounds.get(path.name)
        if upper is None and df["value"].max() <= 100:
            upper = 100.0
        if upper is not None and not ((df["value"] >= 0) & (df["value"] <= upper)).all():
            raise SystemExit(f"{path}: values {df['value'].min():g}..{df['value'].max():g}; "
                             f"expected 0..{upper:g} (its upper bound)")
        if upper is None and (df["value"] < 0).any():
            raise SystemExit(f"{path}: values {df['value'].min():g}..{df['value'].max():g}; "
                             "expected no negative values (an unbounded panel is a level)")
        out.append(Panel(name, df.sort_values(["country_code", "year"]).reset_index(drop=True),
                         upper))
    return out


def usable(panel: Panel, origins: Sequence[int]) -> bool:
    """Whether ``panel`` has a history ending in one of ``origins`` with an outcome after it."""
    return any(not fut.empty for o in origins for _, fut in [panel_histories(panel, o, 2)])


def _logit_share(y: np.ndarray, upper: float = 100.0) -> np.ndarray:
    p = np.clip(np.asarray(y, float) / upper, BOUND_TOL / 2, 1 - BOUND_TOL / 2)
    return np.log(p) - np.log1p(-p)


def _snap(y: np.ndarray, upper: float = 100.0) -> np.ndarray:
    tol = BOUND_TOL * upper
    return np.where(y >= upper - tol, upper, np.where(y <= tol, 0.0, y))


def panel_histories(panel: Panel, origin: int, k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Histories (last k values up to ``origin``, last one in ``origin``) and outcomes
    (years origin+1 .. origin+6) of one panel; ids ``file|origin|k|country``."""
    df = panel.rows
    past = df[df["year"] <= origin]
    if panel.upper is None:  # a level's history: positive values (log scale)
        past = past[past["value"] > 0]
    ok = past.groupby("country_code")["year"].transform("max") == origin
    past = past[ok].groupby("country_code").tail(k)
    n = past.groupby("country_code")["year"].transform("size")
    past = past[n == k].copy()
    fut = df[(df["year"] > origin) & (df["year"] <= origin + H)
             & df["country_code"].isin(past["country_code"])].copy()
    for f in (past, fut):
        f["series_id"] = f"{panel.name}|{origin}|{k}|" + f["country_code"]
    return past, fut


def panel_cases(panels: Sequence[Panel], ets: bool = True,
                origins: Sequence[int] = PANEL_ORIGINS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All adoption-panel cases (one row per series x outcome year x d) and the interval frame
    (one row per series x outcome year), for ``panels`` (:func:`panel_specs`; each
    :func:`usable` at ``origins``); ``last_pct``: the last value in % of the bound (NaN for an
    unbounded panel)."""
    frames, cover = [], []
    for panel in panels:
        U = panel.upper
        d = np.array(PANEL_D) / 100.0 if U is None else np.array(PANEL_D) * U / 100.0
        for origin in origins:
            for k in PANEL_K + PANEL_K_THIN:
                past, fut = panel_histories(panel, origin, k)
                if past.empty or fut.empty:
                    continue
                hist = past[["series_id", "year", "value"]].assign(
                    kind=panel.kind, lower=np.nan if U is None else 0.0,
                    upper=np.nan if U is None else U)
                fc = forecast(hist, H, n_samples=N_SAMPLES, seed=0)
                Zf = wide(past)
                ids = Zf.index.to_numpy()
                last = Zf.to_numpy(float)[:, -1]
                lastj = last if U is None else _snap(last, U)
                last_pct = np.full(len(last), np.nan) if U is None else 100 * lastj / U
                row = pd.Index(ids).get_indexer(fut["series_id"])
                h = fut["year"].to_numpy(int) - origin
                act = fut["value"].to_numpy(float)
                # (R, D): a share: last + d (d in % of the bound); a level: last * (1 + d)
                thr = (lastj[row][:, None] * (1 + d[None, :]) if U is None
                       else lastj[row][:, None] + d[None, :])
                keep = (thr > 0) if U is None else (thr > 0) & (thr <= U)
                R = len(fut)
                rid = np.repeat(fut["series_id"].to_numpy(), len(d))
                yrs = np.repeat(fut["year"].to_numpy(int), len(d))
                p = fc.prob_many(rid, yrs, ">=", thr.ravel()).reshape(R, len(d))
                outc = (act if U is None else _snap(act, U))[:, None] >= thr
                # baselines on the engine's scale (logit of the share, log of a level); gaps
                # (account ownership) ignored: step = one wave
                if U is None:
                    Z = np.log(Zf.to_numpy(float))
                    with np.errstate(divide="ignore", invalid="ignore"):
                        cut = np.log(np.where(thr > 0, thr, np.nan))
                else:
                    Z = _logit_share(Zf.to_numpy(float), U)
                    pc = np.clip(thr / U, BOUND_TOL, 1 - BOUND_TOL)  # as the engine's cut-off
                    cut = np.log(pc) - np.log1p(-pc)
                mu, sd, _, _ = rw_drift(Z, np.arange(1, H + 1, dtype=float))
                pn = upper_normal(cut, mu[row, h - 1][:, None], sd[row, h - 1][:, None])
                if ets and k >= 3:
                    emu, esd = ets_damped(Z, ETS_EVERY_PANEL)
                    pe = upper_normal(cut, emu[row, h - 1][:, None], esd[row, h - 1][:, None])
                else:
                    pe = np.full(thr.shape, np.nan)
                frames.append(pd.DataFrame({
                    "protocol": "adoption", "file": panel.name, "origin": origin, "k": k,
                    "h": np.repeat(h, len(d)), "x": np.tile(d, R),
                    "series": rid, "family": panel.kind, "p": p.ravel(),
                    "outcome": outc.ravel().astype(float), "p_naive": pn.ravel(),
                    "p_ets": pe.ravel(), "last_pct": np.repeat(last_pct[row], len(d))}
                )[keep.ravel()])
                q = fc.quantiles_many(fut["series_id"].to_numpy(), fut["year"].to_numpy(int),
                                      [0.5, 0.1, 0.9, 0.025, 0.975])
                cover.append(pd.DataFrame({
                    "protocol": "adoption", "file": panel.name, "origin": origin, "k": k,
                    "h": h, "actual": act, "q50": q[:, 0], "q10": q[:, 1], "q90": q[:, 2],
                    "q025": q[:, 3], "q975": q[:, 4], "last_pct": last_pct[row]}))
    return pd.concat(frames, ignore_index=True), pd.concat(cover, ignore_index=True)
