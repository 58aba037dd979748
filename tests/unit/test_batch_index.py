"""index.html for planners (dxlib.batch.render.planner_view and the template) and the manifest's
``index`` settings, without a kernel: runs merged across languages, grouped by the manifest's
group and the notebook's question, "start here" first, the language switch, the technical
details folded; run details in the report's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dxlib.batch.manifest import load_manifest
from dxlib.batch.render import WORDS, Renderer, planner_view
from dxlib.errors import ParameterError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
PLAN = {"vi": "Kế hoạch 833", "en": "Plan 833"}
OVERVIEW = {"vi": "Tổng quan", "en": "Overview"}


def rec(slug: str, notebook: str, params: dict, title: str, status: str = "ok") -> dict:
    error = None if status == "ok" else {"cell": 3, "first_line": "x = f()", "ename": "ValueError",
                                         "evalue": "boom"}
    return {"slug": slug, "notebook": f"notebooks/{notebook}.ipynb", "parameters": params,
            "param_files": [], "status": status, "error": error, "metrics": {}, "title": title,
            "outputs": {"html": f"{slug}.html", "notebook": None, "metrics": None}, "origin": "this_run"}


RECORDS = [
    rec("sc__vi", "05", {"lang": "vi"}, "Thẻ điểm"),
    rec("sc__en", "05", {"lang": "en"}, "Scorecard"),
    rec("p__a", "04", {"lang": "vi", "pillar": "a"}, "Trụ cột A"),
    rec("p__b", "04", {"lang": "vi", "pillar": "b"}, "Trụ cột B", "failed"),
    rec("x__vi", "05", {"lang": "vi", "targets": "x.yaml"}, "Thẻ điểm X"),
    rec("x__en", "05", {"lang": "en", "targets": "x.yaml"}, "Scorecard X"),
    rec("old", "09", {}, "Báo cáo cũ"),  # an earlier run of another manifest: no info
]
INFO = {
    "sc__vi": {"group": PLAN, "start": True, "lang": "vi", "question": OVERVIEW},
    "sc__en": {"group": PLAN, "start": True, "lang": "en", "question": OVERVIEW},
    "p__a": {"group": PLAN, "lang": "vi", "question": {"vi": "Trụ cột", "en": "Pillars"}},
    "p__b": {"group": PLAN, "lang": "vi", "question": {"vi": "Trụ cột", "en": "Pillars"}},
    "x__vi": {"group": "KH X", "lang": "vi", "order": -1, "start": True},
    "x__en": {"group": "KH X", "lang": "en", "order": -1, "start": True},
}


def test_planner_view_merges_languages_and_groups_by_plan_and_question() -> None:
    en = planner_view(RECORDS, INFO, "en")
    # start here: the scorecards, order -1 before the default order
    assert [it["title"] for it in en["start"]] == ["Scorecard X", "Scorecard"]
    assert en["start"][1]["links"] == {"en": "sc__en.html", "vi": "sc__vi.html"}  # page language first
    assert [g["label"] for g in en["groups"]] == ["KH X", "Plan 833", WORDS["en"]["other_reports"]]
    plan = en["groups"][1]
    assert [q["label"] for q in plan["questions"]] == ["Overview", "Pillars"]
    pillars = plan["questions"][1]["reports"]
    assert [(it["title"], it["other_language"], it["status"]) for it in pillars] == [
        ("Trụ cột A", True, "ok"), ("Trụ cột B", True, "failed")]
    vi = planner_view(RECORDS, INFO, "vi")
    assert [it["title"] for it in vi["start"]] == ["Thẻ điểm X", "Thẻ điểm"]
    assert vi["groups"][1]["label"] == "Kế hoạch 833" and vi["groups"][2]["label"] == "Báo cáo khác"
    assert not vi["groups"][1]["questions"][1]["reports"][0]["other_language"]


def test_index_html_switches_language_and_folds_the_details() -> None:
    html = Renderer().index(RECORDS, INFO, {"dxlib_version": "0", "git_commit": "abc"})
    assert '<section class="l-vi" lang="vi">' in html and '<section class="l-en" lang="en">' in html
    assert 'href="#en"' in html and 'id="en"' in html and 'href="#vi"' in html and 'id="vi"' in html
    vi = html[html.index('<section class="l-vi"'):html.index('<section class="l-en"')]
    assert "Bắt đầu từ đây" in vi and "Tổng quan" in vi and "lỗi" in vi
    assert vi.index("Thẻ điểm X") < vi.index("Kế hoạch 833")  # start here first
    assert "sc__vi" not in vi.replace('href="sc__vi.html"', "")  # no slug outside links
    details = html[html.index('<details class="technical">'):]
    rows = re.findall(r'<tr class="run run-(\w+)" id="run-([\w-]+)">', details)
    assert {slug: st for st, slug in rows} == {r["slug"]: r["status"] for r in RECORDS}
    assert "ValueError: boom" in details and "<code>pillar</code> = <code>b</code>" in details


def test_an_outdated_earlier_report_is_marked_in_both_languages() -> None:
    sc_vi = {**RECORDS[0], "origin": "earlier_run", "outdated": True}  # its inputs changed since
    records = [sc_vi, *RECORDS[1:]]
    start = planner_view(records, INFO, "en")["start"]
    assert [(it["title"], it["outdated"]) for it in start] == [("Scorecard X", False), ("Scorecard", True)]
    html = Renderer().index(records, INFO, {"dxlib_version": "0", "git_commit": "abc"})
    vi = html[html.index('<section class="l-vi"'):html.index('<section class="l-en"')]
    en = html[html.index('<section class="l-en"'):html.index('<details class="technical">')]
    # 2 = its line under "start here" and in its group, in each language
    assert vi.count(WORDS["vi"]["outdated"]) == 2 and en.count(WORDS["en"]["outdated"]) == 2
    assert 'class="outdated"' not in Renderer().index(RECORDS, INFO, {"dxlib_version": "0",
                                                                      "git_commit": "abc"})


def test_manifest_index_settings_and_group_continues(tmp_path) -> None:
    manifest = tmp_path / "batch.yaml"
    manifest.write_text(f"""\
reports:
  - notebook: {FIXTURES / "report_b.ipynb"}
    grid: {{pillar: [a]}}
    index: {{group: {{vi: Nhóm một, en: Group one}}, start: true, order: 2}}
  - notebook: {FIXTURES / "report_b.ipynb"}
    grid: {{pillar: [b]}}
  - notebook: {FIXTURES / "report_b.ipynb"}
    grid: {{pillar: [c]}}
    index: {{group: Nhóm hai, title: Riêng}}
""", encoding="utf-8")
    runs = load_manifest(manifest)
    assert runs[0].index == {"group": {"vi": "Nhóm một", "en": "Group one"}, "title": None, "order": 2,
                             "start": True}
    assert runs[1].index["group"] == runs[0].index["group"] and not runs[1].index["start"]
    assert runs[2].index == {"group": "Nhóm hai", "title": "Riêng", "order": None, "start": False}
    bad = tmp_path / "bad.yaml"
    nb = FIXTURES / "report_b.ipynb"
    bad.write_text(f"reports:\n  - notebook: {nb}\n    index: {{start: yes please}}\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"line 3, reports\[0\]\.index: found .*expected a mapping"):
        load_manifest(bad)
