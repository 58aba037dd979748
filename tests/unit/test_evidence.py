"""Evidence grades, bounds (censored values), definition breaks, the catalogue unit check and the
province's data path (--observations / --add-observations, the template), by behaviour.

Every value below is synthetic (sources on example.org / example.invalid); nothing here reads or
writes data/.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from dxlib.cli import main
from dxlib.data import load_dataset, observation_files, split_paths
from dxlib.engine.attainment import assess_dataset, full_year_history
from dxlib.engine.rollup import pillar_rollup
from dxlib.report.words import note_text

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
HEADER = ("geo,indicator,year,value,unit,source_url,source_title,published,quote,confidence,"
          "as_of,note,bound,definition\n")


def rows(*lines: str) -> str:
    """Observation rows ``geo,indicator,year,value,unit,bound,definition`` with a synthetic
    source each."""
    out = [HEADER]
    for line in lines:
        geo, ind, year, value, unit, bound, definition = line.split(",")
        out.append(f"{geo},{ind},{year},{value},{unit},https://example.org/t,Synthetic,2026,"
                   f"synthetic {value},high,,,{bound},{definition}\n")
    return "".join(out)


def dataset(tmp_path: Path, extra: str | None = None, targets: Path | None = None,
            observations: str | None = None):
    obs = [MINI / "observations.csv"]
    if observations is not None:
        (tmp_path / "own.csv").write_text(observations, encoding="utf-8")
        obs = [tmp_path / "own.csv"]
    add = []
    if extra is not None:
        (tmp_path / "extra.csv").write_text(extra, encoding="utf-8")
        add = [tmp_path / "extra.csv"]
    return load_dataset(targets or MINI / "targets.yaml", obs, MINI / "indicators.csv",
                        MINI / "geos.csv", add_observations=add)


def assess(ds) -> pd.DataFrame:
    """The assessment indexed by target, its notes worded in English (as in the CSV)."""
    a = assess_dataset(ds, n_samples=1000)
    return a.assign(note=[note_text(n, "en") for n in a["note"]]).set_index("target_id")


# ------------------------------------------------------------------------------------------
# Evidence grades


G1 = "    indicator: online_rate\n    owner: ict\n"
G2 = "    indicator: agencies_connected\n"


def test_grades_from_the_registry_and_the_data(tmp_path: Path, mini_targets_with) -> None:
    targets = mini_targets_with(
        (G1, G1.replace("    owner", "    geo: tinh_b\n    owner")),
        (G2, G2 + "    grade: proxy_measure\n    proxy: agencies on a narrower network\n"))
    a = assess(dataset(tmp_path, targets=targets))
    assert a.loc["G-1", "evidence"] == "proxy_geography"  # tinh_b's series for tinh_a's plan
    assert a.loc["G-2", "evidence"] == "proxy_measure"
    assert a.loc["G-3", "evidence"] == "direct"
    assert a.loc["E-4", "evidence"] == "none"  # no series, no value
    assert a.loc["G-1", "evidence_note"] == (
        "Province B trend, not Province A's figure: Online dossier rate")
    assert a.loc["G-2", "evidence_note"].startswith("a related measure")


def test_stand_ins_are_counted_apart_in_the_rollup(tmp_path: Path, mini_targets_with) -> None:
    targets = mini_targets_with(
        (G2, G2 + "    grade: proxy_measure\n    proxy: agencies on a narrower network\n"))
    ds = dataset(tmp_path, targets=targets)
    a = assess_dataset(ds, n_samples=1000)
    r = pillar_rollup(a, ds.registry).set_index("pillar").loc["gov"]
    plain = dataset(tmp_path)
    direct = pillar_rollup(assess_dataset(plain, n_samples=1000),
                           plain.registry).set_index("pillar").loc["gov"]
    assert r["n_stand_in"] == 1 and direct["n_stand_in"] == 0
    assert r["n_scored"] == direct["n_scored"] - 1  # G-2 no longer scored as the plan's result
    statuses = [c for c in r.index if c.startswith("n_") and c not in
                ("n_targets", "n_scored", "n_no_data", "n_stand_in")]
    assert r[statuses].sum() + r["n_stand_in"] == r["n_targets"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_rollup_table_rows_add_up_with_the_stand_in_column(tmp_path: Path, mini_targets_with,
                                                           lang: str) -> None:
    from dxlib.report import STAND_IN_COLUMN, rollup_table
    from dxlib.report import words as i18n

    targets = mini_targets_with(
        (G2, G2 + "    grade: proxy_measure\n    proxy: agencies on a narrower network\n"))
    ds = dataset(tmp_path, targets=targets)
    table = rollup_table(pillar_rollup(assess_dataset(ds, n_samples=1000), ds.registry), ds, lang).data
    statuses = [i18n.status_word(s, lang) for s in i18n.STATUS_ORDER]
    stand_in = table[STAND_IN_COLUMN[lang]]
    assert list(stand_in) == [1, 0, 1]  # G-2 in gov, none in eco, 1 in the whole plan
    assert (table[statuses].sum(axis=1) + stand_in == table[i18n.label("n_targets", lang)]).all()


def test_stand_in_marker_follows_the_evidence_grade(tmp_path: Path, mini_targets_with) -> None:
    """G-1 on Province B's series (proxy_geography, no proxy text) is marked "*" in every table;
    G-2 with a proxy text but the plan's own series (direct) is not."""
    from dxlib.engine.coverage import target_coverage
    from dxlib.report import coverage_table, outlook, status_table

    on_b = (G1, G1.replace("    owner", "    geo: tinh_b\n    owner"))
    targets = mini_targets_with(on_b, (G2, G2 + "    proxy: a note that is no stand-in\n"))
    ds = dataset(tmp_path, targets=targets)
    a = assess_dataset(ds, n_samples=1000)
    other = dataset(tmp_path, targets=mini_targets_with(on_b, ("id: test-plan", "id: other-plan")))
    ids = {
        "status": list(status_table(a, ds, "en").data["ID"]),
        "outlook": list(outlook.outlook_frame(a, ds, "en")["ID"]),
        "coverage": list(coverage_table(target_coverage(ds), ds, "en").data["ID"]),
        "other plans": [i for i in outlook.other_plans_frame(
            a, ds, [(other, assess_dataset(other, n_samples=1000))], "en")["ID"] if i.startswith("G-")],
    }
    for table, seen in ids.items():
        assert "G-1*" in seen and "G-2" in seen and "G-2*" not in seen, table


def test_own_measure_replaces_the_stand_in_once_it_has_data(tmp_path: Path,
                                                            mini_targets_with) -> None:
    """A target scored on another geography's series, whose own measure has rows for the plan's
    geography, is scored on them (direct) without editing the registry."""
    targets = mini_targets_with((G2, "    indicator: online_rate\n    geo: tinh_b\n"
                                      "    own_indicator: agencies_connected\n"))
    ds = dataset(tmp_path, targets=targets)
    t = ds.registry.targets.loc["G-2"]
    assert t["indicator"] == "agencies_connected" and t["geo"] == "tinh_a"
    assert t["stand_in"] == "online_rate"
    assert assess(ds).loc["G-2", "evidence"] == "direct"


OWN = (G2, "    indicator: online_rate\n    geo: tinh_b\n    own_indicator: agencies_connected\n")


def test_own_measure_switch_is_decided_as_of_the_assessment_year(tmp_path: Path,
                                                                 mini_targets_with) -> None:
    """agencies_connected (G-2's own measure) starts in 2022: as of 2021 the target is still
    scored on its stand-in, and later data do not change that assessment."""
    ds = dataset(tmp_path, targets=mini_targets_with(OWN))
    then = ds.as_of(2021)
    assert then.registry.targets.loc["G-2", "indicator"] == "online_rate"
    a = assess_dataset(ds, as_of=2021, n_samples=1000).set_index("target_id")
    # (tinh_b's stand-in series itself starts in 2022, so the row has no value yet)
    assert a.loc["G-2", "indicator"] == "online_rate" and a.loc["G-2", "series_geo"] == "tinh_b"
    assert ds.as_of(2022).registry.targets.loc["G-2", "indicator"] == "agencies_connected"


@pytest.mark.parametrize("own_row", [
    # a partial-year value (as_of date) only
    "tinh_a,agencies_connected,2025,97,%,https://example.org/t,Synthetic,2025-08-10,synthetic 97,"
    "medium,2025-08-06,,,\n",
    # an "over 90 %" bound only
    "tinh_a,agencies_connected,2024,90,%,https://example.org/t,Synthetic,2025-01-15,synthetic 90,"
    "high,,,lower,\n",
])
def test_own_measure_needs_a_full_year_exact_value(tmp_path: Path, mini_targets_with,
                                                   own_row: str) -> None:
    lines = (MINI / "observations.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines[1:] if ",agencies_connected," not in line]
    obs = HEADER + "".join(line + ",,\n" for line in kept) + own_row
    ds = dataset(tmp_path, targets=mini_targets_with(OWN), observations=obs)
    assert ds.registry.targets.loc["G-2", "indicator"] == "online_rate"  # the stand-in stays
    assert assess(ds).loc["G-2", "evidence"] == "proxy_geography"


def test_own_indicator_needs_an_indicator(tmp_path: Path, mini_targets_with) -> None:
    from dxlib.errors import DataValidationError

    targets = mini_targets_with(("    indicator: agencies_connected\n",
                                  "    own_indicator: online_rate\n"))
    with pytest.raises(DataValidationError, match="own_indicator"):
        dataset(tmp_path, targets=targets)


# ------------------------------------------------------------------------------------------
# Bounds


def test_a_bound_never_enters_the_trend(tmp_path: Path) -> None:
    ds = dataset(tmp_path, rows("tinh_a,ecom_revenue,2025,2800,bn VND,lower,"))
    hist = full_year_history(ds.observations)
    years = hist[(hist["geo"] == "tinh_a") & (hist["indicator"] == "ecom_revenue")]["year"]
    assert list(years) == [2021, 2022, 2023, 2024]


def test_a_bound_that_decides_gives_the_status_and_says_so(tmp_path: Path) -> None:
    # growth 2024-2025 >= 2800 / 2150 - 1 = 30.2 % > 25 %, whatever the true value above 2800
    a = assess(dataset(tmp_path, rows("tinh_a,ecom_revenue,2025,2800,bn VND,lower,")))
    e1 = a.loc["E-1"]
    assert e1["status"] == "achieved" and e1["probability"] == 1.0
    assert e1["growth_low"] == pytest.approx((2800 / 2150 - 1) * 100)
    assert math.isinf(e1["growth_high"])
    assert "rests on a bound" in e1["note"] and e1["bound"] == "lower"
    # a share: a lower bound of 52 % meets ">= 50 %"; an upper bound of 45 % cannot
    a = assess(dataset(tmp_path, rows("tinh_a,online_rate,2025,52,%,lower,")))
    assert a.loc["G-1", "status"] == "achieved" and "rests on a bound" in a.loc["G-1", "note"]
    a = assess(dataset(tmp_path, rows("tinh_a,online_rate,2025,45,%,upper,")))
    assert a.loc["G-1", "status"] == "not_achieved"


def test_a_bound_that_does_not_decide_conditions_the_forecast(tmp_path: Path) -> None:
    # growth >= 2200 / 2150 - 1 = 2.3 %: both sides of 25 % possible -> a probability from the
    # trend of the exact values, kept to the paths above 2200 in 2025
    ds = dataset(tmp_path, rows("tinh_a,ecom_revenue,2025,2200,bn VND,lower,"))
    e1 = assess(ds).loc["E-1"]
    assert e1["status"] in ("on_track", "at_risk", "off_track")
    assert 0 < e1["probability"] < 1 and "respect the bounds" in e1["note"]
    assert e1["growth_low"] == pytest.approx((2200 / 2150 - 1) * 100)
    assert "conditioned on bounds" in e1["method"]
    # the condition can only raise the chance: paths below 2200 (growth < 2.3 %) are dropped
    plain = assess(dataset(tmp_path)).loc["E-1"]
    assert e1["probability"] >= plain["probability"] - 0.05


def test_an_upper_bound_before_the_deadline_that_does_not_meet_the_target(tmp_path: Path) -> None:
    a = assess(dataset(tmp_path, rows("tinh_a,agencies_connected,2025,99,%,upper,")))
    assert a.loc["G-2", "status"] == "not_achieved"  # at most 99 % < 100 %


# ------------------------------------------------------------------------------------------
# Definitions


def test_values_under_an_earlier_definition_are_not_joined(tmp_path: Path) -> None:
    obs = rows("tinh_a,online_rate,2021,20,%,,old", "tinh_a,online_rate,2022,28.5,%,,old",
               "tinh_a,online_rate,2023,35,%,,new", "tinh_a,online_rate,2024,44,%,,new")
    g1 = assess(dataset(tmp_path, observations=obs)).loc["G-1"]
    assert g1["n_obs"] == 2 and g1["definition"] == "new"
    assert "2 earlier values (2021–2022) under another definition not joined" in g1["note"]
    # one value under the current definition: thin data said thin (no trend, no probability)
    obs = rows("tinh_a,online_rate,2021,20,%,,old", "tinh_a,online_rate,2022,28.5,%,,old",
               "tinh_a,online_rate,2023,35,%,,old", "tinh_a,online_rate,2024,44,%,,new")
    g1 = assess(dataset(tmp_path, observations=obs)).loc["G-1"]
    assert g1["status"] == "insufficient_data" and math.isnan(g1["probability"])
    assert "one observation" in g1["note"] and "3 earlier values (2021–2023)" in g1["note"]


def test_a_later_definition_does_not_erase_an_observed_outcome(tmp_path: Path) -> None:
    """G-1 (>= 50 % by 2025): an exact 2025 value of 55 is achieved; a 2026 value under a new
    definition changes nothing for the 2025 target (its definition is that of its own years)."""
    before = assess(dataset(tmp_path, rows("tinh_a,online_rate,2025,55,%,,")))
    assert before.loc["G-1", "status"] == "achieved"
    after = assess(dataset(tmp_path, rows(
        "tinh_a,online_rate,2025,55,%,,", "tinh_a,online_rate,2026,60,%,,new_method_2026")))
    g1 = after.loc["G-1"]
    assert g1["status"] == "achieved" and g1["probability"] == 1.0
    assert g1["last_year"] == 2025 and g1["last_value"] == 55
    assert "definition" not in g1["note"]  # nothing up to 2025 was left out


def test_a_target_read_under_another_definition_gets_no_forecast_of_the_series(
        tmp_path: Path) -> None:
    """Definitions '' (2020-2021, and a 2026 bound: the series' current one, whose forecast
    starts after 2021) and 'x' (2022-2023): G-1 (2025) reads 'x', so the forecast made from
    the '' values must not give it a probability."""
    obs = rows("tinh_a,online_rate,2020,20,%,,", "tinh_a,online_rate,2021,25,%,,",
               "tinh_a,online_rate,2022,30,%,,x", "tinh_a,online_rate,2023,35,%,,x",
               "tinh_a,online_rate,2026,60,%,lower,")
    g1 = assess(dataset(tmp_path, observations=obs)).loc["G-1"]
    assert g1["n_obs"] == 2 and g1["last_year"] == 2023
    assert g1["status"] == "insufficient_data" and math.isnan(g1["probability"])
    assert "no forecast could be made" in g1["note"]


def test_a_later_exact_value_does_not_erase_a_deciding_bound(tmp_path: Path) -> None:
    """G-1 (>= 50 % by 2025): a 2025 lower bound of 60 decides it; an exact 2026 value of 70
    (after the deadline) changes nothing."""
    bound = "tinh_a,online_rate,2025,60,%,lower,"
    before = assess(dataset(tmp_path, rows(bound))).loc["G-1"]
    assert before["status"] == "achieved" and "rests on a bound" in before["note"]
    after = assess(dataset(tmp_path, rows(
        bound, "tinh_a,online_rate,2026,70,%,,"))).loc["G-1"]
    assert after["status"] == "achieved" and after["bound"] == "lower"
    assert "rests on a bound" in after["note"]


def test_an_observed_deadline_year_is_judged_on_it_when_data_run_past_it(tmp_path: Path) -> None:
    after = assess(dataset(tmp_path, rows(
        "tinh_a,online_rate,2025,45,%,,", "tinh_a,online_rate,2026,70,%,,"))).loc["G-1"]
    assert after["status"] == "not_achieved" and after["last_year"] == 2025


def test_a_ratio_leaves_out_a_numerators_earlier_definition_and_says_so(tmp_path: Path) -> None:
    """E-2 (ecom_revenue / retail_sales >= 10 % by 2025): numerator values of 2021-2022 under an
    older definition are left out of the ratio's years, with the note single series get."""
    base = assess(dataset(tmp_path)).loc["E-2"]
    assert base["n_obs"] == 4
    frame = pd.read_csv(MINI / "observations.csv", dtype=str, keep_default_na=False)
    old = (frame["indicator"] == "ecom_revenue") & frame["year"].isin(["2021", "2022"])
    obs = frame.assign(bound="", definition=old.map({True: "old", False: ""})).to_csv(index=False)
    e2 = assess(dataset(tmp_path, observations=obs)).loc["E-2"]
    assert e2["n_obs"] == 2  # 2023 and 2024 only
    assert "2 earlier values (2021–2022) under another definition not joined" in e2["note"]


def test_a_ratio_with_a_bound_in_the_numerator_says_it_is_left_out(tmp_path: Path) -> None:
    """E-2: a 2025 lower bound of the numerator (no exact 2025 value) is named, and the ratio
    is judged on the exact years only."""
    e2 = assess(dataset(tmp_path, rows("tinh_a,ecom_revenue,2025,2800,bn VND,lower,"))).loc["E-2"]
    assert "the 2025 value is only known to be at least 2,800" in e2["note"]
    assert e2["bound"] == "lower" and e2["last_year"] == 2024


def test_a_ratio_too_short_after_a_break_gives_no_probability(tmp_path: Path) -> None:
    e2 = assess(dataset(tmp_path, rows("tinh_a,ecom_revenue,2025,2800,bn VND,,new"))).loc["E-2"]
    # 2025 numerator under a new definition; no 2025 denominator: no common exact year
    assert e2["status"] == "insufficient_data" and math.isnan(e2["probability"])
    assert "no year with both numerator and denominator" in e2["note"]
    assert "4 earlier values (2021–2024) under another definition not joined" in e2["note"]


def test_two_definitions_for_one_value_are_refused_in_either_file_order(tmp_path: Path) -> None:
    """The verdict must not depend on file order: one value per (geo, indicator, year) under
    two definitions in two files is refused, with one line, whichever file comes first."""
    from dxlib.errors import DataValidationError

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(rows("tinh_a,online_rate,2025,55,%,,old"), encoding="utf-8")
    b.write_text(rows("tinh_a,online_rate,2025,45,%,,new"), encoding="utf-8")
    for files in ([a, b], [b, a]):
        with pytest.raises(DataValidationError) as err:
            load_dataset(MINI / "targets.yaml", files, MINI / "indicators.csv", MINI / "geos.csv")
        lines = [x for x in str(err.value).splitlines() if "column 'definition'" in x]
        assert len(lines) == 1 and "tinh_a, online_rate, 2025" in lines[0]


# ------------------------------------------------------------------------------------------
# Units and the data path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_unit_other_than_the_catalogues_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "fractions.csv"
    bad.write_text(rows("nghe_an,egov_online_dossier_rate,2024,0.44,fraction,,"), encoding="utf-8")
    r = run("validate", "--add-observations", str(bad))
    assert r.exit_code == 2
    lines = [x for x in r.output.splitlines() if "fractions.csv" in x]
    assert len(lines) == 1
    assert "row 2, column 'unit': found 'fraction'; expected '%'" in lines[0]


def test_split_paths_and_observation_files(tmp_path: Path) -> None:
    assert split_paths(["a.csv,b.xlsx", " c.csv ", ""]) == [Path("a.csv"), Path("b.xlsx"),
                                                            Path("c.csv")]
    shipped = observation_files()
    assert observation_files(None, [tmp_path / "x.csv"]) == [*shipped, tmp_path / "x.csv"]
    assert observation_files([tmp_path / "x.csv"]) == [tmp_path / "x.csv"]
    assert observation_files(shipped, shipped[:1]) == shipped  # a file named twice is read once


def test_observations_replaces_and_add_observations_adds(tmp_path: Path) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text(rows("nghe_an,egov_satisfaction_rate,2024,81,%,,"), encoding="utf-8")
    only = run("validate", "--observations", f"{mine}")
    assert only.exit_code == 0 and "1 observations from 1 files" in only.output
    assert f"observations read from: {mine}" in only.output
    n = len(observation_files()) + 1  # the shipped files and mine
    both = run("validate", "--add-observations", str(mine))
    assert both.exit_code == 0 and f"observations from {n} files" in both.output
    shipped = ",".join(str(p) for p in observation_files())
    same = run("validate", "--observations", shipped, "--observations", str(mine))
    assert f"observations from {n} files" in same.output


def test_validate_names_rows_no_target_uses(tmp_path: Path) -> None:
    stray = tmp_path / "stray.csv"
    stray.write_text(rows("nghe_an,ctx_pci_score,2024,65,points of 100,,"), encoding="utf-8")
    r = run("validate", "--add-observations", str(stray))
    assert r.exit_code == 0
    assert f"- {stray}, row 2: nghe_an, ctx_pci_score, 2024" in r.output


def test_headline_names_each_stand_in_once_over_several_geographies() -> None:
    """`dx assess --geo all`: a stand-in target is named once with its number of geographies,
    not once per geography; a single geography keeps the short form."""
    from dxlib.engine.evidence import headline_counts

    rows = [(g, t, e, "insufficient_data")
            for g in ("tinh_a", "tinh_b", "tinh_c")
            for t, e in (("G-1", "proxy_geography"), ("G-2", "none"))]
    rows.append(("tinh_a", "G-3", "proxy_measure", "achieved"))
    table = pd.DataFrame(rows, columns=["geo", "target_id", "evidence", "status"])
    # headline: the three G-2 rows (none counts, as insufficient data); apart: G-1 in all
    # three geographies, G-3 in tinh_a only
    assert headline_counts(table) == (
        "insufficient_data 3; stand-in evidence, not counted: "
        "G-1 (other geography, 3 geographies), G-3 (related measure, 1 geography)")
    one = table[table["geo"] == "tinh_a"]
    assert headline_counts(one) == ("insufficient_data 1; stand-in evidence, not counted: "
                                    "G-1 (other geography), G-3 (related measure)")
