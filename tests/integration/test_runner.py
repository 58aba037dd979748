"""Tests of the batch runner (dxlib.batch) and the notebook helpers (dxlib.batch.nbtools).

The notebooks under tests/fixtures/notebooks are executed with the ``python3`` kernel (the
interpreter running the tests); the manifest's ``defaults.kernel`` selects it.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from dxlib import batch as runner
from dxlib.batch import nbtools

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
REPORT_A = FIXTURES / "report_a.ipynb"
REPORT_B = FIXTURES / "report_b.ipynb"
FAILING = FIXTURES / "failing.ipynb"
XSS = "<script>alert(1)</script>"

MANIFEST = f"""\
defaults:
  kernel: python3
  timeout: 120
reports:
  - notebook: {REPORT_A}
    set: {{n: 3, label: "{XSS}"}}
  - notebook: {REPORT_B}
    grid: {{pillar: [digital_infrastructure, "Kinh tế số"]}}
  - notebook: {FAILING}
"""

SLUG_A = "report_a__n-3__label-script_alert_1_script"
SLUGS_B = ["report_b__pillar-digital_infrastructure", "report_b__pillar-kinh_te_so"]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def code_sources(nb_path: Path) -> list[str]:
    nb = nbformat.read(nb_path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


# --------------------------------------------------------------------------------------------
# The batch (run once per module with the local executor)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("manifest") / "batch.yaml", MANIFEST)


@pytest.fixture(scope="module")
def local_batch(manifest, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports-local")
    result = runner.run_batch(manifest, out, jobs=2, progress=False)
    return result, out


@pytest.mark.notebooks
def test_batch_statuses_and_summary(local_batch):
    result, out = local_batch
    assert result.ok is False
    status = {r["slug"]: r["status"] for r in result.runs}
    assert status == {SLUG_A: "ok", SLUGS_B[0]: "ok", SLUGS_B[1]: "ok", "failing": "failed"}
    text = result.summary_text
    assert "4 runs: 3 ok, 1 failed" in text
    assert "FAILED failing (tests/fixtures/notebooks/failing.ipynb)" in text
    # cell 2 (counted from 0) of failing.ipynb raises; y_before_failure = x + 1 = 2
    assert "cell 2" in text and 'raise ValueError(f"boom {y_before_failure}")' in text
    assert "ValueError: boom 2" in text
    assert result.index_path == out / "index.html"


@pytest.mark.notebooks
def test_outputs_exist_for_every_run(local_batch):
    _, out = local_batch
    for slug in [SLUG_A, *SLUGS_B, "failing"]:
        assert (out / f"{slug}.html").is_file()
        assert (out / slug / f"{slug}.ipynb").is_file()
        assert (out / slug / "metrics.json").is_file()
    assert not list(out.rglob(".*.tmp")), "temporary files left behind"
    failed_nb = nbformat.read(out / "failing" / "failing.ipynb", as_version=4)
    outputs = [o for c in failed_nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any(o.output_type == "error" and o.ename == "ValueError" for o in outputs)
    assert any("before the failure" in o.get("text", "") for o in outputs)  # partial results


@pytest.mark.notebooks
def test_html_has_no_code_and_no_injected_cell(local_batch):
    _, out = local_batch
    for nb_path, slug in [(REPORT_A, SLUG_A), (REPORT_B, SLUGS_B[0])]:
        html = (out / f"{slug}.html").read_text(encoding="utf-8")
        for src in code_sources(nb_path):
            for line in src.splitlines():
                if len(line.strip()) > 12:  # meaningful code lines, not e.g. "x = 1"
                    assert line.strip() not in html, f"code visible in {slug}.html: {line}"
        assert "# Parameters" not in html and "injected-parameters" not in html
        assert "check_parameters" not in html
        assert nbtools.METRICS_MIME not in html
        assert '<meta charset="utf-8"' in html
        assert "<script src=" not in html  # no external scripts
    html = (out / f"{SLUG_A}.html").read_text(encoding="utf-8")
    assert "<title>Báo cáo thử nghiệm A: Nghệ An</title>" in html
    assert '<html lang="vi">' in html
    assert "Kết quả / result: 63" in html  # output kept, Vietnamese intact; 63 = n x 21 with n = 3
    assert "HIDDEN_REMOVE_CELL_OUTPUT" not in html  # remove-cell tag honoured
    assert "STDERR_WARNING_TEXT" not in html  # warnings stay in the .ipynb
    assert "data:image/png;base64," in html  # figures embedded
    assert "Thông tin lần chạy" in html and "Run details" not in html  # in the report's language
    html_b = (out / f"{SLUGS_B[0]}.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html_b  # from the notebook's default lang


@pytest.mark.notebooks
def test_failed_run_html_shows_note_not_banner(local_batch):
    _, out = local_batch
    html = (out / "failing.html").read_text(encoding="utf-8")
    assert "This run failed." in html  # the notebook has no lang: English
    assert "ValueError: boom 2" in html
    assert "papermill-error-cell" not in html and "An Exception was encountered" not in html
    assert "<title>Sau lỗi / After the failure</title>" in html  # first heading anywhere


@pytest.mark.notebooks
def test_index_lists_runs_with_resolving_links(local_batch):
    result, out = local_batch
    html = result.index_path.read_text(encoding="utf-8")
    assert "Báo cáo" in html and "Reports" in html  # both languages, one shown at a time
    parser = _Links()
    parser.feed(html)
    html_links = [h for h in parser.hrefs if h.endswith(".html")]
    assert set(html_links) == {f"{s}.html" for s in [SLUG_A, *SLUGS_B, "failing"]}
    for href in parser.hrefs:
        assert not href.startswith(("/", "http")), href
        if href.startswith("#"):  # the table of contents: an anchor of this page
            assert f'id="{href[1:]}"' in html, href
        else:
            assert (out / href).is_file(), href
    rows = {slug: st for st, slug in re.findall(r'<tr class="run run-(\w+)" id="run-([\w-]+)">', html)}
    assert rows == {SLUG_A: "ok", SLUGS_B[0]: "ok", SLUGS_B[1]: "ok", "failing": "failed"}
    assert "ValueError: boom 2" in html
    # grouped by notebook, in manifest order
    assert html.index("report_a.ipynb") < html.index("report_b.ipynb") < html.index("failing.ipynb")


@pytest.mark.notebooks
def test_parameter_values_are_escaped(local_batch):
    _, out = local_batch
    for name in ("index.html", f"{SLUG_A}.html"):
        html = (out / name).read_text(encoding="utf-8")
        assert XSS not in html, name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, name


@pytest.mark.notebooks
def test_run_json(local_batch):
    _, out = local_batch
    text = (out / "run.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and "Kinh tế số" in text  # ensure_ascii=False
    data = json.loads(text)
    assert set(data) >= {
        "manifest",
        "dxlib_version",
        "git_commit",
        "python",
        "packages",
        "runs",
        "timing",
        "summary",
        "data_files",
    }
    assert set(data["packages"]) >= {"pandas", "numpy", "statsmodels", "papermill"}
    assert data["summary"] == {"total": 4, "ok": 3, "failed": 1, "reused": 0, "earlier_run": 0}
    runs = {r["slug"]: r for r in data["runs"]}
    assert [r["slug"] for r in data["runs"]] == [SLUG_A, *SLUGS_B, "failing"]
    a = runs[SLUG_A]
    assert a["notebook"] == "tests/fixtures/notebooks/report_a.ipynb"
    assert a["parameters"] == {"n": 3, "label": XSS}
    assert a["param_files"] == []
    assert a["outputs"] == {
        "html": f"{SLUG_A}.html",
        "notebook": f"{SLUG_A}/{SLUG_A}.ipynb",
        "metrics": f"{SLUG_A}/metrics.json",
    }
    assert a["error"] is None and a["status"] == "ok"
    assert runs[SLUGS_B[1]]["parameters"] == {"pillar": "Kinh tế số"}
    err = runs["failing"]["error"]
    assert err["cell"] == 2 and err["ename"] == "ValueError" and err["evalue"] == "boom 2"
    assert err["first_line"].startswith("raise ValueError")
    assert {"started", "finished", "seconds"} <= set(data["timing"])


@pytest.mark.notebooks
def test_metrics_json(local_batch):
    _, out = local_batch
    text = (out / SLUG_A / "metrics.json").read_text(encoding="utf-8")
    # report_a records answer = n x 21 = 3 x 21 and its default ratio 0.5; NaN is written as null
    assert json.loads(text) == {"answer": 63, "ratio": 0.5, "missing": None, "label": XSS, "n": 3}
    assert text == runner.dumps_json(json.loads(text))  # sorted keys, indent 2, final newline
    assert json.loads((out / SLUGS_B[1] / "metrics.json").read_text()) == {
        "pillar": "Kinh tế số",
        "length": 10,  # len("Kinh tế số"), characters not bytes
    }
    assert json.loads((out / "failing" / "metrics.json").read_text()) == {}


@pytest.mark.dask
@pytest.mark.notebooks
def test_dask_executor_gives_identical_outputs(manifest, local_batch, tmp_path):
    distributed = pytest.importorskip("distributed")
    _, local_out = local_batch
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        result = runner.run_batch(
            manifest, tmp_path, executor="dask", scheduler=cluster.scheduler_address, progress=False
        )
    assert not result.ok
    for slug in [SLUG_A, *SLUGS_B, "failing"]:
        for rel in (f"{slug}.html", f"{slug}/metrics.json"):
            assert (tmp_path / rel).read_bytes() == (local_out / rel).read_bytes(), rel
    assert (tmp_path / "index.html").read_bytes() == (local_out / "index.html").read_bytes()

    def without_timing(p: Path) -> str:
        data = json.loads(p.read_text(encoding="utf-8"))
        assert data.pop("timing")["executor"] in ("local", "dask")
        return runner.dumps_json(data)

    assert without_timing(tmp_path / "run.json") == without_timing(local_out / "run.json")


# --------------------------------------------------------------------------------------------
# check_parameters
# --------------------------------------------------------------------------------------------


def _payload(params: dict) -> dict:
    return {
        "slug": "a",
        "notebook_name": "report_a.ipynb",
        "notebook_json": REPORT_A.read_text(encoding="utf-8"),
        "parameters": params,
        "kernel": "python3",
        "timeout": 60,
        "cwd": str(FIXTURES),
    }


@pytest.mark.notebooks
def test_misspelled_parameter_fails_the_run_with_parameter_error():
    result = runner.execute_run(_payload({"nn": 3}))
    assert result["status"] == "failed"
    err = result["error"]
    assert err["ename"] == "ParameterError"
    assert "'nn'" in err["evalue"] and "did you mean 'n'?" in err["evalue"]
    # cell 2 of report_a is the check_parameters cell (0: markdown, 1: parameters)
    assert err["cell"] == 2 and "check_parameters" not in err["first_line"]
    assert result["executed_notebook"] is not None  # partial notebook returned
