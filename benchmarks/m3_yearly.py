"""M3 yearly benchmark of ``dxlib.engine.forecast`` against plain statsmodels damped ETS and Theta.

Usage (from the project root)::

    python benchmarks/m3_yearly.py [--data DIR] [--out DIR] [--skip-statsmodels] [--write-profile]

645 series, 6 hold-out years. Histories: the full training part and its last 4, 6, 8, 10 points.
dxlib goes through ``forecast_table`` (the CLI code path) for points/intervals and through
``Forecast.prob_many`` for the PIT. Metrics: sMAPE (M3: 200|X-F|/(X+F), negative F -> 0, F =
median), MASE (scale = mean |dy| of the window used), coverage of the central 80 % / 95 %
intervals, PIT over 10 bins (max and mean absolute deviation of bin shares from 0.10), wall time.
Speed: 645 series x 6 horizons x 99 quantiles through the ``dx forecast`` command as a whole
process vs the per-series statsmodels loop (damped ETS + Theta, fit + intervals), in the same run.
Data: ``benchmarks/data/m3_yearly/m3_yearly_long.csv`` (shipped with the project; origin in
``benchmarks/data/README.md``). Results go to --out (default ``benchmarks/output/``, git-ignored) as
CSV and Markdown, together with ``m3_benchmark.json``: the calibration evidence (coverage and PIT
histogram by history length) that the method-reliability notebook shows. The copy that ships with
the package, ``dxlib/profiles/m3_benchmark.json``, is replaced only with ``--write-profile`` (with
``--skip-statsmodels`` its statsmodels rows are kept).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datadir import ROOT, find_data  # noqa: E402

from dxlib.forecast import forecast, forecast_table  # noqa: E402

SHIPPED = ROOT / "dxlib" / "profiles" / "m3_benchmark.json"

H = 6
LEVELS = [0.025, 0.1, 0.9, 0.975]
WINDOWS: list[int | None] = [None, 4, 6, 8, 10]


def smape(f: np.ndarray, a: np.ndarray) -> float:
    f = np.maximum(f, 0.0)
    return float(np.mean(200 * np.abs(a - f) / (a + f)))


def scores(point: np.ndarray, lo80: np.ndarray, hi80: np.ndarray, lo95: np.ndarray,
           hi95: np.ndarray, pit: np.ndarray, act: np.ndarray, scale: np.ndarray) -> dict:
    """All arrays (n_series, H) except scale (n_series,)."""
    hist = np.histogram(np.clip(pit, 0, 1 - 1e-12), bins=10, range=(0, 1))[0] / pit.size
    return {
        "sMAPE": smape(point, act),
        "MASE": float(np.mean(np.abs(act - point) / scale[:, None])),
        "cover80": float(np.mean((act >= lo80) & (act <= hi80)) * 100),
        "cover95": float(np.mean((act >= lo95) & (act <= hi95)) * 100),
        "PIT_maxdev": float(np.max(np.abs(hist - 0.1)) * 100),
        "PIT_meandev": float(np.mean(np.abs(hist - 0.1)) * 100),
        "PIT_hist": [round(float(x), 4) for x in hist],
    }


def load(data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    f = data / "m3_yearly_long.csv"
    if not f.exists():
        raise SystemExit(f"M3 yearly data not found: {f}; expected the copy shipped in "
                         "benchmarks/data/m3_yearly or --data DIR holding m3_yearly_long.csv")
    df = pd.read_csv(f).sort_values(["series_id", "t"])
    return df[df["split"] == "train"], df[df["split"] == "test"]


def holdout(test: pd.DataFrame, ids: np.ndarray, col: str) -> np.ndarray:
    """(n_series, H) array of a hold-out column, series in the order of ids."""
    t = test.sort_values(["series_id", "t"]).set_index("series_id")
    return np.stack([t.loc[i, col].to_numpy(float) for i in ids])


def window(train: pd.DataFrame, L: int | None) -> pd.DataFrame:
    return train if L is None else train.groupby("series_id", sort=True).tail(L)


def run_dxlib(train: pd.DataFrame, test: pd.DataFrame, L: int | None) -> dict:
    hist = window(train, L)
    ids = np.sort(hist["series_id"].unique())
    act = holdout(test, ids, "value")
    t0 = time.perf_counter()
    tab = forecast_table(hist[["series_id", "year", "value"]], H, LEVELS)
    wall = time.perf_counter() - t0
    tab = tab.sort_values(["series_id", "h"])

    def g(c: str) -> np.ndarray:
        return tab[c].to_numpy(float).reshape(len(ids), H)

    fc = forecast(hist[["series_id", "year", "value"]], H)
    years = holdout(test, ids, "year")
    pit = fc.prob_many(np.repeat(ids, H), years.ravel(), "<=", act.ravel()).reshape(act.shape)
    scale = hist.groupby("series_id", sort=True)["value"].apply(
        lambda v: np.mean(np.abs(np.diff(v.to_numpy())))).loc[ids].to_numpy()
    out = scores(g("point"), g("q_0.1"), g("q_0.9"), g("q_0.025"), g("q_0.975"), pit, act, scale)
    out["time_s"] = wall
    cov95_h = np.mean((act >= g("q_0.025")) & (act <= g("q_0.975")), axis=0) * 100
    out["cover95_by_h"] = " ".join(f"{x:.0f}" for x in cov95_h)
    return out


def run_statsmodels(train: pd.DataFrame, test: pd.DataFrame, L: int | None) -> dict[str, dict]:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.forecasting.theta import ThetaModel

    hist = window(train, L)
    ids = np.sort(hist["series_id"].unique())
    act = holdout(test, ids, "value")
    scale = hist.groupby("series_id", sort=True)["value"].apply(
        lambda v: np.mean(np.abs(np.diff(v.to_numpy())))).loc[ids].to_numpy()
    res: dict[str, dict] = {}
    groups = {k: g["value"].to_numpy(float) for k, g in hist.groupby("series_id", sort=True)}
    for name in ("ETS A,Ad,N", "Theta"):
        P = {k: np.zeros((len(ids), H)) for k in ("m", "l80", "h80", "l95", "h95", "pit")}
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i, sid in enumerate(ids):
                y = groups[sid]
                if name == "Theta":
                    r = ThetaModel(y, period=1, deseasonalize=False).fit()
                    m = np.asarray(r.forecast(H))
                    p80 = np.asarray(r.prediction_intervals(H, alpha=0.2))
                    p95 = np.asarray(r.prediction_intervals(H, alpha=0.05))
                else:
                    r = ETSModel(pd.Series(y), error="add", trend="add", damped_trend=True).fit(disp=False)
                    pr = r.get_prediction(start=len(y), end=len(y) + H - 1)
                    p80 = pr.summary_frame(alpha=0.2)[["pi_lower", "pi_upper"]].to_numpy()
                    s95 = pr.summary_frame(alpha=0.05)
                    m = s95["mean"].to_numpy()  # noqa: F841
                    p95 = s95[["pi_lower", "pi_upper"]].to_numpy()
                P["m"][i] = m
                P["l80"][i], P["h80"][i] = p80[:, 0], p80[:, 1]
                P["l95"][i], P["h95"][i] = p95[:, 0], p95[:, 1]
                sd = (p95[:, 1] - p95[:, 0]) / (2 * norm.ppf(0.975))
                P["pit"][i] = norm.cdf((act[i] - m) / np.maximum(sd, 1e-12))
        wall = time.perf_counter() - t0
        out = scores(P["m"], P["l80"], P["h80"], P["l95"], P["h95"], P["pit"], act, scale)
        out["time_s"] = wall
        res[name] = out
    return res


def speed_dxlib(train: pd.DataFrame) -> float:
    """Wall time of ``dx forecast`` as a whole process (start-up, read, forecast, write) on the
    645 training parts with 6 horizons and 99 quantiles."""
    levels = ",".join(f"{i / 100:.2f}" for i in range(1, 100))
    dx = shutil.which("dx") or str(Path(sys.executable).parent / "dx")
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "m3.csv", Path(tmp) / "out.csv"
        train[["series_id", "year", "value"]].to_csv(src, index=False)
        t0 = time.perf_counter()
        subprocess.run([dx, "forecast", "--input", str(src), "--horizon", str(H), "--quantiles",
                        levels, "--output", str(out)], check=True, capture_output=True)
        wall = time.perf_counter() - t0
        shape = pd.read_csv(out).shape
    assert shape == (645 * H, 4 + 99 + 1), shape
    return wall


def fmt_table(rows: list[dict]) -> str:
    cols = ["history", "method", "sMAPE", "MASE", "cover80", "cover95", "PIT_maxdev",
            "PIT_meandev", "time_s"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        cells = [r["history"], r["method"]]
        for c in cols[2:]:
            v = r[c]
            cells.append(f"{v:.2f}" if c in ("sMAPE", "MASE", "time_s") else f"{v:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _brief(r: dict) -> str:
    return " ".join(f"{k}={round(v, 2)}" for k, v in r.items() if isinstance(v, float))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="folder holding m3_yearly_long.csv (default: benchmarks/data/"
                                   "m3_yearly, then ../shared/data/m3_yearly)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "output",
                    help="folder for the results (default benchmarks/output, git-ignored)")
    ap.add_argument("--skip-statsmodels", action="store_true")
    ap.add_argument("--write-profile", action="store_true",
                    help=f"also replace the shipped {SHIPPED.relative_to(ROOT)} with this run's "
                         "evidence (with --skip-statsmodels its statsmodels rows are kept)")
    a = ap.parse_args(argv)
    train, test = load(find_data("m3_yearly", a.data))
    a.out.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    for L in WINDOWS:
        name = "full" if L is None else f"last {L}"
        r = run_dxlib(train, test, L)
        rows.append({"history": name, "method": "dxlib default", **r})
        print(f"{name:8s} dxlib  " + _brief(r), flush=True)
    sm_time = None
    if not a.skip_statsmodels:
        for L in (None, 6):
            name = "full" if L is None else f"last {L}"
            for m, r in run_statsmodels(train, test, L).items():
                rows.append({"history": name, "method": f"statsmodels {m}", **r})
                print(f"{name:8s} {m:10s} " + _brief(r), flush=True)
        sm_time = sum(r["time_s"] for r in rows
                      if r["history"] == "full" and r["method"].startswith("statsmodels"))
    t_total = speed_dxlib(train)
    table = fmt_table(rows)
    speed = (f"Speed, 645 series x 6 horizons x 99 quantiles: `dx forecast` as a whole process "
             f"{t_total:.2f} s wall")
    if sm_time is not None:
        speed += (f"; statsmodels per-series loop (damped ETS + Theta, fit + 80/95 % intervals, "
                  f"full histories) {sm_time:.1f} s; ratio {t_total / sm_time:.4f}")
    pd.DataFrame(rows).drop(columns=["PIT_hist"]).to_csv(a.out / "m3_yearly_results.csv", index=False)
    kept = [] if sm_time is not None else [
        r for r in json.loads(SHIPPED.read_text(encoding="utf-8"))["rows"]
        if r["method"].startswith("statsmodels")]
    shipped = {"source": "benchmarks/m3_yearly.py on the 645 M3 yearly series, 6 hold-out years",
               "rows": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}
                        for r in rows] + kept}
    evidence = json.dumps(shipped, indent=1, ensure_ascii=False) + "\n"
    (a.out / SHIPPED.name).write_text(evidence, encoding="utf-8")
    if a.write_profile:
        SHIPPED.write_text(evidence, encoding="utf-8")
        print(f"wrote {SHIPPED.relative_to(ROOT)}")
    (a.out / "m3_yearly_results.md").write_text(table + "\n\n" + speed + "\n", encoding="utf-8")
    print()
    print(table)
    print(speed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
