"""HTML of a batch: each run's notebook through nbconvert (no code, no injected parameters, a
failure note and the run details, in the report's language) and the ``index.html`` of all
runs, with the jinja2 templates under ``templates/``.

``index.html`` is written for readers who never see code: it switches between Vietnamese and
English (``index.html#en``); reports that differ only by language are one line with a link per
language, titled by their first heading; lines are grouped by the manifest's ``index.group``
(e.g. one plan) and, within a group, by the question their notebook answers (the notebook's
metadata ``dxlib.question``, text or language: text); entries with ``index.start`` are listed
first under "start here". Slugs, parameters and errors are folded into a ``<details>`` block."""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dxlib.batch.execute import PAPERMILL_ERROR_TAG
from dxlib.batch.manifest import RunSpec
from dxlib.batch.nbtools import INJECTED_TAG, strip_metrics_outputs
from dxlib.batch.util import slugify, value_text

#: Where the jinja2 templates (index, run details, nbconvert report template) live.
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Cells with these tags are not rendered.
REMOVED_TAGS = frozenset({"remove-cell", INJECTED_TAG, PAPERMILL_ERROR_TAG})
#: The parameter that sets a report's language (``vi`` or ``en``; HTML ``lang`` attribute).
LANGUAGE_PARAMETER = "lang"
#: The languages of the reports and of the index, the first one the default.
LANGUAGES = ("vi", "en")

#: The words of the batch's own pages (index, run details, failure note) per language.
WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "reports": "Báo cáo", "start_here": "Bắt đầu từ đây", "other_reports": "Báo cáo khác",
        "language_name": "Tiếng Việt", "only_in": "chỉ có bản", "lang_vi": "tiếng Việt",
        "lang_en": "tiếng Anh", "switch": "Ngôn ngữ",
        "failed": "lỗi", "not_run": "chưa chạy", "ok": "thành công",
        "runs": "lần chạy", "reused": "dùng lại (đầu vào không đổi)", "earlier_run": "từ lần chạy trước",
        "outdated": "đã cũ: đầu vào đã thay đổi",
        "details": "Chi tiết kỹ thuật: mã lần chạy, tham số, lỗi",
        "status": "Trạng thái", "run": "Mã lần chạy", "parameters": "Tham số", "error": "Lỗi",
        "cell": "Ô", "run_details": "Thông tin lần chạy", "parameter_files": "Tệp tham số",
        "name": "Tên", "value": "Giá trị", "source": "Nguồn", "from_manifest": "tệp kê khai (manifest)",
        "default": "mặc định của notebook",
        "data_files": "Tệp dữ liệu (sha256, 12 ký tự đầu)",
        "this_run_failed": "Lần chạy này bị lỗi.",
        "incomplete": "Kết quả dưới đây có thể không đầy đủ; xem notebook đã chạy",
    },
    "en": {
        "reports": "Reports", "start_here": "Start here", "other_reports": "Other reports",
        "language_name": "English", "only_in": "only in", "lang_vi": "Vietnamese",
        "lang_en": "English", "switch": "Language",
        "failed": "failed", "not_run": "not run", "ok": "ok",
        "runs": "runs", "reused": "reused (inputs unchanged)", "earlier_run": "from an earlier run",
        "outdated": "outdated: inputs changed",
        "details": "Technical details: run names, parameters, errors",
        "status": "Status", "run": "Run", "parameters": "Parameters", "error": "Error",
        "cell": "Cell", "run_details": "Run details", "parameter_files": "Parameter files",
        "name": "Name", "value": "Value", "source": "Source", "from_manifest": "manifest",
        "default": "notebook default",
        "data_files": "Data files (sha256, first 12 hex digits)",
        "this_run_failed": "This run failed.",
        "incomplete": "The results below may be incomplete; see the executed notebook",
    },
}


def text_in(value: Any, lang: str) -> str:
    """``value`` (text, or a mapping of language to text) in ``lang``; a mapping without it
    gives its first language's text, ``None`` gives ``""``."""
    if isinstance(value, Mapping):
        return str(value.get(lang) or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def index_info(spec: RunSpec) -> dict[str, Any]:
    """What ``index.html`` needs of a run besides its ``run.json`` record: the manifest's
    ``index`` settings (group, title, order, start), the run's language, the question its
    notebook answers (metadata ``dxlib.question``) and the notebook's first heading as written
    (the title of a run that produced none)."""
    nb = json.loads(spec.notebook_text)
    meta = nb.get("metadata", {}).get("dxlib", {})
    return {
        **spec.index,
        "lang": spec.value(LANGUAGE_PARAMETER),
        "question": meta.get("question") if isinstance(meta, Mapping) else None,
        "heading": first_heading(nb),
    }


def first_heading(nb: Mapping[str, Any]) -> str:
    """The first Markdown heading a reader sees: in a markdown cell that is not removed, or in a
    ``text/markdown`` output (notebooks write their titles in the report's language that way)."""
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if REMOVED_TAGS.intersection(tags):
            continue
        if cell.get("cell_type") == "markdown":
            sources = [cell.get("source", "")]
        elif cell.get("cell_type") == "code":
            sources = [o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])]
        else:
            continue
        for source in sources:
            heading = _heading_in("".join(source) if isinstance(source, list) else source)
            if heading:
                return heading
    return ""


def _heading_in(source: str) -> str:
    for line in source.splitlines():
        m = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m and m.group(1):
            text = re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)[*_`]", "", m.group(1)))
            return html.unescape(text).strip()
    return ""



class Renderer:
    """HTML of the runs and of the index, in this process (one nbconvert exporter reused).

    ``group_by``: parameters that split a notebook's runs into sub-lists of the index's
    technical details when their values differ (see :func:`subgroups`)."""

    def __init__(self, group_by: Sequence[str] = ()) -> None:
        self.group_by = tuple(group_by)
        import jinja2
        from nbconvert import HTMLExporter
        from nbconvert.preprocessors import TagRemovePreprocessor

        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.globals["text_in"] = text_in
        self.exporter = HTMLExporter(
            template_name="lab",
            template_file=str(TEMPLATES / "dx_report.html.j2"),
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
        )
        self.exporter.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True), enabled=True
        )

    def report(self, nb: Any, spec: RunSpec, record: dict, context: dict) -> str:
        """HTML of one run: no code, no injected parameters; the failure note and the run
        details in the report's language (its ``lang`` parameter; English if it has none)."""
        nb = copy.deepcopy(nb)
        strip_metrics_outputs(nb)
        for cell in nb.cells:  # tracebacks and warnings are for the .ipynb, not for planners
            if cell.cell_type == "code":
                cell.outputs = [
                    o
                    for o in cell.get("outputs", [])
                    if o.get("output_type") != "error"
                    and not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                ]
        nb.metadata["title"] = first_heading(nb) or spec.slug
        lang = spec.value(LANGUAGE_PARAMETER)
        lang = lang if lang in LANGUAGES else "en"
        self.exporter.language_code = lang
        w = WORDS[lang]
        params = [
            {"name": k, "value": value_text(v), "source": w["from_manifest"]}
            for k, v in spec.parameters.items()
        ]
        params += [
            {"name": k, "value": src, "source": w["default"]}
            for k, src in spec.defaults.items()
            if k not in spec.parameters
        ]
        footer = self.env.get_template("run_details.html.j2").render(
            w=w,
            notebook=record["notebook"],
            slug=spec.slug,
            status=w.get(record["status"], record["status"]),
            param_files=record["param_files"],
            parameters=params,
            **context,
        )
        header = ""
        if record["status"] != "ok":
            header = self.env.get_template("failure_note.html.j2").render(
                w=w, error=record["error"], notebook_link=record["outputs"]["notebook"] or "-"
            )
        resources = {
            "metadata": {"name": spec.slug, "path": str(spec.notebook.parent)},
            "dx_header": header,
            "dx_footer": footer,
        }
        html, _ = self.exporter.from_notebook_node(nb, resources=resources)
        return html

    def index(self, records: list[dict], info: Mapping[str, dict], context: dict) -> str:
        """HTML of ``index.html``: the planner's view of the runs (:func:`planner_view`, in
        each language of :data:`LANGUAGES`) and, folded, every run grouped by notebook in
        manifest order with its status, slug, parameters and error. ``info``: slug ->
        :func:`index_info` of the runs of the manifest (earlier runs of other manifests have
        none)."""
        groups: dict[str, dict] = {}
        for rec in records:
            g = groups.setdefault(
                rec["notebook"],
                {"notebook": rec["notebook"], "anchor": "nb-" + slugify(rec["notebook"]), "runs": []},
            )
            g["runs"].append(
                {
                    **rec,
                    "parameters_text": [(k, value_text(v)) for k, v in rec["parameters"].items()],
                }
            )
        for g in groups.values():
            g["subgroups"] = subgroups(g["runs"], self.group_by)
        counts = {
            "total": len(records),
            "ok": sum(r["status"] == "ok" for r in records),
            "failed": sum(r["status"] == "failed" for r in records),
            "not_run": sum(r["status"] == "not_run" for r in records),
            "reused": sum(r.get("origin") == "reused" for r in records),
            "earlier_run": sum(r.get("origin") == "earlier_run" for r in records),
        }
        views = {lang: planner_view(records, info, lang) for lang in LANGUAGES}
        return self.env.get_template("batch_index.html.j2").render(
            groups=list(groups.values()), counts=counts, views=views, words=WORDS,
            languages=LANGUAGES, **context
        )


def _run_lang(rec: dict, info: Mapping[str, Any]) -> str | None:
    lang = info.get("lang", rec["parameters"].get(LANGUAGE_PARAMETER))
    return lang if lang in LANGUAGES else None


def planner_view(records: list[dict], info: Mapping[str, dict], lang: str) -> dict[str, Any]:
    """The runs as a planner reads them in ``lang``: ``{"start": [item], "groups": [{"label",
    "questions": [{"label", "reports": [item]}]}]}``. An item is one report in every language it
    was run in (runs of one entry whose parameters differ only by ``lang``): ``title`` (the
    manifest's title, else the first heading of the run in ``lang``, else of another language,
    then ``other_language`` is true), ``links`` (language -> HTML file; ``""`` for a run
    without a language), ``status`` (``failed`` or ``not_run`` if any of its runs is),
    ``outdated`` (true if any of its runs is an earlier report whose inputs changed since).
    Groups and items follow ``order``, then the manifest order; records without ``info`` (runs
    of other manifests still in the folder) come last, in a group without a label."""
    items: dict[tuple, dict] = {}
    for pos, rec in enumerate(records):
        inf = info.get(rec["slug"], {})
        run_lang = _run_lang(rec, inf)
        rest = {k: v for k, v in rec["parameters"].items() if k != LANGUAGE_PARAMETER}
        group = inf.get("group")
        key = (json.dumps(group, sort_keys=True), rec["notebook"],
               json.dumps(rest, sort_keys=True, default=str))
        item = items.setdefault(key, {
            "group": group, "question": inf.get("question"), "notebook": rec["notebook"],
            "order": (inf.get("order") if inf.get("order") is not None else float("inf"), pos, bool(inf)),
            "titles": {}, "links": {}, "status": "ok", "outdated": False, "start": False, "slugs": [],
        })
        item["start"] = item["start"] or bool(inf.get("start"))
        item["outdated"] = item["outdated"] or bool(rec.get("outdated"))
        item["slugs"].append(rec["slug"])
        title = (text_in(inf.get("title"), run_lang or lang) or rec.get("title") or inf.get("heading")
                 or rec["slug"])
        item["titles"].setdefault(run_lang or "", title)
        if rec.get("outputs", {}).get("html"):
            item["links"].setdefault(run_lang or "", rec["outputs"]["html"])
        if rec["status"] != "ok" and item["status"] != "failed":
            item["status"] = rec["status"]
    ordered = sorted(items.values(), key=lambda it: (not it["order"][2], it["order"][0], it["order"][1]))
    for it in ordered:
        titles = it.pop("titles")
        own = titles.get(lang) or titles.get("")
        it["title"] = own or next(iter(titles.values()))
        it["other_language"] = not own
        it["links"] = dict(sorted(it["links"].items(), key=lambda kv: (kv[0] != lang, kv[0])))
    groups: dict[str, dict] = {}
    for it in ordered:
        g = groups.setdefault(json.dumps(it["group"], sort_keys=True), {"label": text_in(it["group"], lang),
                                                                         "questions": {}})
        q = g["questions"].setdefault(it["notebook"], {"label": text_in(it["question"], lang), "reports": []})
        q["reports"].append(it)
    out = [{"label": g["label"], "questions": list(g["questions"].values())} for g in groups.values()]
    if len(out) > 1:
        for g in out:
            g["label"] = g["label"] or WORDS[lang]["other_reports"]
    return {"start": [it for it in ordered if it["start"]], "groups": out}


def subgroups(runs: list[dict], keys: Sequence[str]) -> list[dict]:
    """The runs of one notebook split by the first parameter of ``keys`` whose value differs
    between them, in order of first appearance (a grid over 34 provinces reads as 34 short
    lists, not one long one); one unlabelled sub-list otherwise."""
    for key in keys:
        values = [value_text(r["parameters"].get(key, "")) for r in runs]
        if len(set(values)) > 1:
            out: dict[str, dict] = {}
            for value, run in zip(values, runs, strict=True):
                out.setdefault(value, {"label": f"{key} = {value}", "runs": []})["runs"].append(run)
            return list(out.values())
    return [{"label": "", "runs": runs}]
