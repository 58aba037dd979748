"""The ``dx`` command line (also ``python -m dxlib``).

Every command checks its inputs before any long work starts; problems are printed as one line
each (file, row or key, column, found, expected) with exit status 2, and nothing is written.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from dxlib import __version__, paths
from dxlib.errors import DxError

_PATH = click.Path(dir_okay=False, path_type=Path)
#: Control characters (C0 but tab and newline, DEL, C1) and bidirectional overrides: data text
#: with them could move the cursor, recolour or rewrite the terminal, or reorder what is shown.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """``text`` safe for a terminal: each control character shown as a visible escape
    (ESC -> ``\\x1b``, U+202E -> ``\\u202e``); tabs and newlines kept."""
    return _CONTROL.sub(lambda m: (f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                   else f"\\u{ord(m.group()):04x}"), text)


def say(text: str, err: bool = False) -> None:
    """Print text that may contain data (titles, file names, found values) to the terminal:
    every echo of data text goes through here (and click's own error messages through
    :class:`_Group`), so no data text reaches the terminal raw."""
    click.echo(terminal_text(str(text)), err=err)


class _Group(click.Group):
    """Turn dxlib's own errors into a clean message and exit status 2 (no traceback); click's
    usage errors keep their form, with control characters made visible like everything else."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DxError as exc:
            say(f"error: {exc}", err=True)
            ctx.exit(2)
        except click.ClickException as exc:
            exc.message = terminal_text(exc.message)
            raise


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dx")
def main() -> None:
    """Forecast digital-transformation indicators and the probability that each plan target is
    reached. Defaults are the shipped Plan 833 files under data/."""


def _data_options(fn):
    fn = click.option("--geos", "geos_file", type=_PATH, default=None,
                      help="Geography list CSV [default: data/geos.csv].")(fn)
    fn = click.option("--indicators", type=_PATH, default=None,
                      help="Indicator catalogue CSV [default: data/indicators.csv].")(fn)
    fn = click.option("--add-observations", "add_observations", type=_PATH, multiple=True,
                      help="Observation files (.csv/.xlsx) read IN ADDITION to --observations (or "
                           "to the shipped files): comma-separated and/or repeated.")(fn)
    fn = click.option("--observations", type=_PATH, multiple=True,
                      help="Observation files (.csv/.xlsx) to read INSTEAD of the shipped ones: "
                           "comma-separated (a.csv,b.xlsx) and/or repeated "
                           "[default: data/observations/*].")(fn)
    fn = click.option("--targets", type=_PATH, default=None,
                      help="Target registry YAML [default: data/targets/nghean-833-2025.yaml].")(fn)
    return fn


def _data_inputs(targets=None, observations=(), indicators=None, geos_file=None,
                 add_observations=()) -> dict[str, list[Path]]:
    """The data files a command reads, by option (the shipped defaults where none is given);
    ``--observations``/``--add-observations`` take comma-separated and repeated paths."""
    from dxlib.data import split_paths

    return {
        "--targets": [targets or paths.DEFAULT_TARGETS],
        "--observations": split_paths(observations) or paths.default_observation_files(),
        "--add-observations": split_paths(add_observations),
        "--indicators": [indicators or paths.DEFAULT_INDICATORS],
        "--geos": [geos_file or paths.DEFAULT_GEOS],
    }


def _check_inputs(**options) -> None:
    """Each data path given on the command line is a readable file (one line per bad path)."""
    from dxlib.data import split_paths
    from dxlib.fileio import check_input_files

    check_input_files({
        "--" + k.replace("_file", "").replace("_", "-"):
            split_paths(v) if k.endswith("observations") else
            (list(v) if isinstance(v, (list, tuple)) else [v])
        for k, v in options.items()})


def _load(targets, observations, indicators, geos_file=None, add_observations=(),
          checked: bool = False):
    """The dataset, after checking the given paths (unless ``checked``: done already), and the
    line naming the observation files read (``observations`` exactly, or the shipped ones, then
    ``add_observations``)."""
    from dxlib.data import load_dataset, observation_files, split_paths
    from dxlib.errors import display_path

    if not checked:
        _check_inputs(targets=targets, observations=observations, indicators=indicators,
                      geos_file=geos_file, add_observations=add_observations)
    files = observation_files(split_paths(observations), split_paths(add_observations))
    ds = load_dataset(targets, files, indicators, geos_file)
    return ds, "observations read from: " + ", ".join(display_path(f) for f in files)


@main.command()
@_data_options
def validate(targets: Path | None, observations: Sequence[str], indicators: Path | None,
             geos_file: Path | None, add_observations: Sequence[str]) -> None:
    """Check the targets, catalogue and observations; print a coverage summary and the
    observation rows that no target uses."""
    from dxlib.data import unused_observations
    from dxlib.engine.coverage import unused_summary, validation_summary

    ds, read = _load(targets, observations, indicators, geos_file, add_observations)
    say(validation_summary(ds))
    say(unused_summary(unused_observations(ds)))
    say(read)


@main.command()
@click.option("--targets", type=_PATH, default=None, help="Target registry YAML.")
@click.option("--indicators", type=_PATH, default=None, help="Indicator catalogue CSV.")
@click.option("--output", type=_PATH, required=True, help="Workbook to write (.xlsx).")
@click.option("--from-year", type=click.IntRange(1990, 2100), default=None,
              help="First year of the rows [default: five years before the deadline].")
def template(targets: Path | None, indicators: Path | None, output: Path,
             from_year: int | None) -> None:
    """Write an empty Excel workbook, one row per mapped indicator and year, for a department
    to fill in (sheets and headers in Vietnamese and English)."""
    from dxlib.data import load_geos, load_indicators, load_targets
    from dxlib.data.template import write_template
    from dxlib.fileio import check_outputs

    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter(f"found '{output.name}'; expected a file name ending in .xlsx",
                                 param_hint="--output")
    _check_inputs(targets=targets, indicators=indicators)
    inputs = _data_inputs(targets, (), indicators)
    del inputs["--observations"]
    check_outputs({"--output": output}, inputs)
    ind = load_indicators(indicators)
    reg = load_targets(targets, ind, load_geos())
    deadlines = reg.targets.loc[reg.targets["kind"] != "milestone", "deadline"]
    last = int(deadlines.max()) if len(deadlines) else int(reg.plan["deadline"])
    if from_year is not None and from_year > last:
        raise click.BadParameter(f"found {from_year}, after the last deadline of the plan "
                                 f"({last}); expected a year up to {last}",
                                 param_hint="--from-year")
    n = write_template(reg, ind, output, from_year=from_year)
    say(f"wrote {output} ({n} rows to fill in)")


@main.command()
@click.option("--input", "input_", type=_PATH, required=True,
              help="Long CSV with series_id, year, value (optional kind, lower, upper).")
@click.option("--horizon", type=click.IntRange(1, 50), required=True, help="Years ahead.")
@click.option("--quantiles", default="0.1,0.5,0.9", show_default=True,
              help="Comma-separated probability levels, each in (0, 1).")
@click.option("--output", type=_PATH, required=True, help="CSV to write.")
def forecast(input_: Path, horizon: int, quantiles: str, output: Path) -> None:
    """Forecast many short annual series: one row per series and future year, with quantiles.

    The input is checked row by row before any work (see dxlib.forecast_input): whole years from
    1800 to 2100, each once per series; one kind and one pair of bounds per series; values
    within their kind (share/index within bounds, whole ranks from 1 to N, whole counts >= 0,
    positive levels; a series without a kind that has zeros but no negative value is refused)."""
    import numpy as np

    from dxlib import fileio
    from dxlib.engine.forecast import forecast_table
    from dxlib.forecast_input import finite_or_problem

    names, levels = _parse_quantiles(quantiles)
    fileio.check_input_files({"--input": [input_]})
    fileio.check_outputs({"--output": output}, {"--input": [input_]})
    history = fileio.read_forecast_input(input_)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        table = forecast_table(history, horizon, levels, names)
    finite_or_problem(table, input_)
    fileio.write_atomic_many([(output, fileio.csv_bytes(table))])
    n_series = table["series_id"].nunique()
    say(f"wrote {output}: {len(table)} rows for {n_series} series")


def _parse_quantiles(text: str) -> tuple[list[str], list[float]]:
    """``--quantiles`` as (names as written, levels): 1 to 99 distinct numbers in (0, 1)."""
    names = [q.strip() for q in text.split(",") if q.strip()]
    if not names:
        raise click.BadParameter(f"found '{text}'; expected comma-separated numbers strictly "
                                 "between 0 and 1, e.g. 0.1,0.5,0.9", param_hint="--quantiles")
    if len(names) > 99:
        raise click.BadParameter(f"found {len(names)} levels; expected at most 99",
                                 param_hint="--quantiles")
    levels: list[float] = []
    for q in names:
        try:
            level = float(q)
        except ValueError:
            level = -1.0
        if not 0 < level < 1:  # also NaN
            raise click.BadParameter(f"found '{q}'; expected numbers strictly between 0 and 1",
                                     param_hint="--quantiles")
        if level in levels:
            raise click.BadParameter(f"found {q} twice; expected each level once",
                                     param_hint="--quantiles")
        levels.append(level)
    return names, levels


@main.command()
@_data_options
@click.option("--as-of", type=click.IntRange(max=2100), default=None,
              help="Use only observations up to this year (what the trend said then).")
@click.option("--geo", "geo", default=None,
              help="Geography to assess [default: the plan's]; 'all' or a comma-separated list "
                   "assesses several.")
@click.option("--output", type=_PATH, required=True, help="Assessment CSV, one row per target.")
@click.option("--pillars-output", type=_PATH, default=None, help="Pillar roll-up CSV.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
              help="Seed of the sample paths (a whole number from 0 to 4294967295).")
def assess(targets, observations, indicators, geos_file, add_observations, as_of, geo, output,
           pillars_output, seed) -> None:
    """Probability and status of every target at its deadline, and the pillar roll-up."""
    from dxlib.data.checks import check_request
    from dxlib.engine.attainment import assess_dataset
    from dxlib.engine.evidence import headline_counts
    from dxlib.engine.rollup import pillar_rollup
    from dxlib.fileio import check_outputs, csv_bytes, write_atomic_many

    _check_inputs(targets=targets, observations=observations, indicators=indicators,
                  geos_file=geos_file, add_observations=add_observations)
    check_outputs({"--output": output, "--pillars-output": pillars_output},
                  _data_inputs(targets, observations, indicators, geos_file, add_observations))
    ds, read = _load(targets, observations, indicators, geos_file, add_observations, checked=True)
    check_request(ds, as_of)
    geos = _parse_geos(geo, ds)
    table = assess_dataset(ds, as_of=as_of, geos=geos, seed=seed)
    from dxlib.report.words import note_text

    worded = table.assign(note=[note_text(n, "en") or None for n in table["note"]])
    files = [(output, csv_bytes(worded))]
    if pillars_output:
        pillars = pillar_rollup(table, ds.registry)
        files.append((pillars_output, csv_bytes(pillars)))
    write_atomic_many(files)
    say(f"wrote {output}: {len(table)} targets; " + headline_counts(table))
    say(read)
    if pillars_output:
        say(f"wrote {pillars_output}: {len(pillars)} rows")


def _parse_geos(geo: str | None, ds) -> list[str] | None:
    if geo is None:
        return None
    known = sorted(set(ds.observations["geo"]) | ({ds.registry.geo}))
    if geo == "all":
        return known if ds.geos is None else sorted(ds.geos.index)
    wanted = [g.strip() for g in geo.split(",") if g.strip()]
    if not wanted:
        raise click.BadParameter(f"found '{geo}'; expected 'all' or comma-separated geo ids",
                                 param_hint="--geo")
    twice = sorted({g for g in wanted if wanted.count(g) > 1})
    if twice:  # each target would be counted twice in the roll-up
        raise click.BadParameter(f"found {', '.join(twice)} more than once; expected each geo "
                                 "once", param_hint="--geo")
    valid = set(known) | (set(ds.geos.index) if ds.geos is not None else set())
    unknown = [g for g in wanted if g not in valid]
    if unknown:
        raise click.BadParameter(f"found {', '.join(unknown)}; expected 'all' or geo ids among "
                                 f"{', '.join(sorted(valid))}", param_hint="--geo")
    return wanted


#: parameters that split a notebook's runs into sub-lists of the index when they vary (a grid
#: over 34 provinces reads as 34 short lists, not one long one)
INDEX_GROUPS = ("geo",)


@main.command()
@click.option("--batch", type=_PATH, default=None,
              help="Batch manifest: a relative path is looked up in the current directory, then "
                   "in the project root [default: params/batch.yaml].")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder [default: reports/].")
@click.option("--jobs", type=click.IntRange(1, 256), default=None,
              help="Notebooks run at once [default: one per core].")
@click.option("--only", default=None, help="Run only the reports whose slug matches this pattern.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local",
              show_default=True)
@click.option("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://host:8786.")
@click.option("--timeout", type=click.IntRange(1, 86400), default=None,
              help="Per-cell timeout in seconds: a cell running longer is stopped and its run fails "
                   "[default: the manifest's defaults.timeout, else 600].")
@click.option("--resume", is_flag=True, default=False,
              help="Reuse the reports in --out whose inputs did not change (notebook, parameters, "
                   "data files, dxlib version and code) instead of running them again.")
@click.option("--kernels", type=click.Choice(["fresh", "warm"]), default=None,
              help="fresh: a new kernel for every notebook; warm: one kept kernel per worker, reset "
                   "between notebooks (faster, same outputs) [default: the manifest's "
                   "defaults.kernels, else warm].")
def reports(batch, out, jobs, only, executor, scheduler, timeout, resume, kernels) -> None:
    """Execute the batch manifest with Papermill and render every report to HTML.

    Ctrl-C or SIGTERM stops the batch: finished reports, run.json and index.html stay
    consistent (every file is replaced atomically); exit status 130.
    """
    import signal

    from dxlib.batch import run_batch
    from dxlib.data.preflight import plan_preflight

    def _terminate(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    import threading

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main else None
    if batch is not None and not batch.is_absolute() and batch.is_file():
        batch = batch.resolve()  # found from the current directory; else the project root's
    try:
        result = run_batch(batch or paths.DEFAULT_BATCH, out or paths.REPORTS, jobs=jobs, only=only,
                           executor=executor, scheduler=scheduler, timeout=timeout, resume=resume,
                           preflight=plan_preflight, group_by=INDEX_GROUPS, kernels=kernels)
    except KeyboardInterrupt:
        click.echo("interrupted: the reports that finished, run.json and index.html are complete; "
                   "run again (with --resume to reuse the finished reports)", err=True)
        sys.exit(130)
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
    click.echo(result.summary_text)
    click.echo(f"index: {result.index_path}")
    if not result.ok:
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
