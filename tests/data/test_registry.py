"""The shipped Plan 833 registry holds every target with the plan's comparator and value
(the table below is transcribed from shared/plan/targets.md, independently of the YAML)."""

from __future__ import annotations

import math

import pytest

PLAN_833 = {
    # id: (pillar, kind, comparator, value)
    "INF-1": ("digital_infrastructure", "share", ">=", 100),
    "INF-2": ("digital_infrastructure", "share", ">=", 100),
    "INF-3": ("digital_infrastructure", "milestone", None, None),
    "INF-4": ("digital_infrastructure", "share", ">=", 100),
    "GOV-1": ("digital_government", "share", ">=", 100),
    "GOV-2": ("digital_government", "share", ">=", 50),
    "GOV-3": ("digital_government", "share", ">=", 90),
    "GOV-4a": ("digital_government", "share", ">=", 90),
    "GOV-4b": ("digital_government", "share", ">=", 80),
    "GOV-4c": ("digital_government", "share", ">=", 60),
    "GOV-5": ("digital_government", "share", ">=", 100),
    "GOV-6": ("digital_government", "share", ">=", 100),
    "GOV-7": ("digital_government", "share", ">", 80),
    "ECO-1": ("digital_economy", "share", ">=", 60),
    "ECO-2": ("digital_economy", "growth", ">", 25),
    "ECO-3": ("digital_economy", "share", ">=", 10),
    "ECO-4": ("digital_economy", "share", ">", 50),
    "ECO-5": ("digital_economy", "share", ">=", 80),
    "ECO-6": ("digital_economy", "share", ">=", 80),
    "ECO-7": ("digital_economy", "share", ">=", 100),
    "ECO-8": ("digital_economy", "count", ">", 3000),
    "ECO-9": ("digital_economy", "share", ">=", 100),
    "ECO-10": ("digital_economy", "milestone", None, None),
    "SOC-1": ("digital_society", "share", ">", 50),
    "SOC-2": ("digital_society", "share", ">=", 50),
    "SMC-1": ("smart_city", "milestone", None, None),
}


@pytest.fixture(scope="module")
def shipped(shipped_dataset):
    return shipped_dataset  # conftest.py: the shipped data set, loaded once per session


def test_all_26_targets_in_plan_order(shipped) -> None:
    assert list(shipped.registry.targets.index) == list(PLAN_833)


@pytest.mark.parametrize("tid", list(PLAN_833))
def test_target_matches_the_plan(shipped, tid: str) -> None:
    pillar, kind, comparator, value = PLAN_833[tid]
    t = shipped.registry.targets.loc[tid]
    assert (t["pillar"], t["kind"], t["deadline"]) == (pillar, kind, 2025)
    if kind == "milestone":
        assert not isinstance(t["comparator"], str) and math.isnan(t["value"])
    else:
        assert (t["comparator"], t["value"]) == (comparator, value)
    assert t["text_vi"] and t["text_en"]


def test_five_pillars_in_report_order(shipped) -> None:
    assert list(shipped.registry.pillars.index) == [
        "digital_infrastructure", "digital_government", "digital_economy", "digital_society",
        "smart_city"]


def test_proxies_say_why(shipped) -> None:
    t = shipped.registry.targets
    national = t[t["geo"] != shipped.registry.geo]
    # a reason is a sentence, not a word: more than 20 characters (a floor set by the author)
    assert len(national) and national["proxy"].map(lambda x: isinstance(x, str) and len(x) > 20).all()


def test_every_stand_in_names_its_own_measure(shipped) -> None:
    """A target scored on a stand-in (README, "Add your province's figures") names the plan's
    own measure in `own_indicator`, a catalogue id, so a department's rows are used as they are."""
    from dxlib.model import STAND_IN_GRADES, target_grade

    reg = shipped.registry
    t = reg.targets
    stand_in = [tid for tid, row in t.iterrows()
                if target_grade(row, reg.geo) in STAND_IN_GRADES]
    # the six stand-ins of README "Evidence grades": INF-1, INF-4, GOV-2, SOC-2 (related
    # measures), ECO-2, ECO-3 (national series)
    assert stand_in == ["INF-1", "INF-4", "GOV-2", "ECO-2", "ECO-3", "SOC-2"]
    own = t.loc[stand_in, "own_indicator"]
    assert own.map(lambda x: isinstance(x, str) and x in shipped.indicators.index).all(), own
    assert (own != t.loc[stand_in, "indicator"]).all()


def test_every_observation_has_source_title_and_quote(shipped) -> None:
    obs = shipped.observations
    assert len(obs) >= 301  # the 301 values of the shared research pass (README); later data only add
    for col in ("source_url", "source_title", "quote"):
        assert (obs[col].str.len() > 0).all(), col


def test_every_shipped_definition_label_is_described() -> None:
    """Each (indicator, definition) of the shipped observations has its Vietnamese and English
    description in data/definitions.csv, so the evidence tables never show a raw code."""
    from dxlib.data import load_definitions, load_observations

    obs = load_observations()
    used = set(obs.loc[obs["definition"].fillna("") != "", ["indicator", "definition"]]
               .itertuples(index=False, name=None))
    described = set(load_definitions().index)
    assert used and used <= described, used - described
    assert described <= used, described - used  # and no description of a label nobody uses
