"""HTML of a batch: each run's notebook through nbconvert (no code, no injected parameters, a
failure note and the run details) and the ``index.html`` of all runs, with the jinja2
templates under ``templates/``."""

from __future__ import annotations

import ast
import copy
import html
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

    ``group_by``: parameters that split a notebook's runs into sub-lists of the index when
    their values differ (see :func:`subgroups`)."""

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
        """HTML of one run: no code, no injected parameters, failure note, run details."""
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
        lang = spec.parameters.get(LANGUAGE_PARAMETER)
        if lang is None:
            try:
                lang = ast.literal_eval(spec.defaults.get(LANGUAGE_PARAMETER, "None"))
            except (ValueError, SyntaxError):
                lang = None
        self.exporter.language_code = lang if lang in ("vi", "en") else "en"
        params = [
            {"name": k, "value": value_text(v), "source": "manifest"} for k, v in spec.parameters.items()
        ]
        params += [
            {"name": k, "value": src, "source": "mặc định / default"}
            for k, src in spec.defaults.items()
            if k not in spec.parameters
        ]
        footer = self.env.get_template("run_details.html.j2").render(
            notebook=record["notebook"],
            slug=spec.slug,
            status=record["status"],
            param_files=record["param_files"],
            parameters=params,
            **context,
        )
        header = ""
        if record["status"] != "ok":
            header = self.env.get_template("failure_note.html.j2").render(
                error=record["error"], notebook_link=record["outputs"]["notebook"] or "-"
            )
        resources = {
            "metadata": {"name": spec.slug, "path": str(spec.notebook.parent)},
            "dx_header": header,
            "dx_footer": footer,
        }
        html, _ = self.exporter.from_notebook_node(nb, resources=resources)
        return html

    def index(self, records: list[dict], titles: dict[str, str], context: dict) -> str:
        """HTML of ``index.html``: every run grouped by notebook, in manifest order."""
        groups: dict[str, dict] = {}
        for rec in records:
            g = groups.setdefault(
                rec["notebook"],
                {
                    "notebook": rec["notebook"],
                    "title": titles.get(rec["notebook"], ""),
                    "anchor": "nb-" + slugify(rec["notebook"]),
                    "runs": [],
                },
            )
            g["title"] = g["title"] or Path(rec["notebook"]).stem
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
        return self.env.get_template("batch_index.html.j2").render(
            groups=list(groups.values()), counts=counts, **context
        )


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
