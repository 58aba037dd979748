"""A notebook's prose: Markdown templates per language, filled with the notebook's numbers.

Each notebook ``NN_name.ipynb`` has ``notebooks/text/NN_name.vi.md`` and ``NN_name.en.md`` next to
it; ``notebooks/text/_shared.<lang>.md`` holds the sentences several notebooks share. A file is a
series of sections, each opened by a marker line and written as the Markdown the reader sees::

    <!-- section: summary -->
    The plan has {{ n_targets }} targets ...

Fields are jinja2 expressions (``{{ name }}``, ``{% if as_of %}...{% endif %}``). A translator edits
one file; both languages must have the same sections and fields (``tests/test_words.py`` checks).

Filling escapes every text field for Markdown and HTML (:func:`dxlib.report.esc`), so data text can
never become a tag or a link; a field that is already Markdown is passed as :class:`Safe`. Integers
are written as given (years, small counts); other numbers must come formatted by
:mod:`dxlib.report.fmt`. A missing field, an unknown section or a float is an error.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from dxlib import paths
from dxlib.report.fmt import check_lang

#: a section marker: ``<!-- section: name -->`` alone on its line
_MARKER = re.compile(r"^<!--\s*section:\s*([A-Za-z0-9_]+)\s*-->[ \t]*$", re.MULTILINE)

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
#: a line that starts a Markdown block (kept on its own line when a paragraph is unwrapped)
_BLOCK_START = re.compile(r"^\s*(#|[-*+] |\d+\. |\||>)")

#: the shared sentences' file stem
SHARED = "_shared"


class Safe(Markup):
    """Text that is already Markdown (built from escaped parts): filled in as it is."""


def text_dir() -> Path:
    """``notebooks/text`` of the project."""
    return paths.NOTEBOOKS / "text"


def read_sections(path: str | os.PathLike[str]) -> dict[str, str]:
    """``{section: template source}`` of one template file, in file order, each stripped of
    surrounding blank lines. ValueError (file, section) for a duplicate section or text before
    the first marker."""
    path = Path(path)
    source = path.read_text(encoding="utf-8")
    parts = _MARKER.split(source)
    if parts[0].strip() and not _COMMENT.fullmatch(parts[0].strip()):
        raise ValueError(f"{path}: text before the first '<!-- section: name -->' line (only a "
                         "<!-- comment --> may stand there)")
    sections: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        if name in sections:
            raise ValueError(f"{path}, section {name}: found twice; expected once")
        sections[name] = body.strip("\n").rstrip()
    return sections


def _finalize(value: Any) -> str:
    from dxlib.report import esc

    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, bool | float):
        raise TypeError(f"found {type(value).__name__} {value!r}; expected text (format numbers "
                        "with dxlib.report.fmt) or an int")
    if isinstance(value, int):
        return str(value)
    return esc(value)


def _finalize_plain(value: Any) -> str:
    if isinstance(value, bool | float):
        return _finalize(value)
    return str(value)


_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, finalize=_finalize, autoescape=False)
_PLAIN_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, finalize=_finalize_plain,
                                autoescape=False)


def unwrap(markdown: str) -> str:
    """Paragraphs written over several lines (as in the template files) joined into one line
    each; headings, list items, tables and quotes keep their lines."""
    blocks = []
    for block in re.split(r"\n[ \t]*\n", markdown.strip()):
        lines = block.split("\n")
        if any(_BLOCK_START.match(line) for line in lines[1:]):
            blocks.append(block)
        else:
            blocks.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(blocks)


class Text:
    """The prose of one notebook in one language: the notebook's sections and the shared ones.

    ``Text("05_plan_scorecard", "vi")("summary", n_targets=26, ...)`` -> the filled Markdown."""

    def __init__(self, notebook: str, lang: str, directory: str | os.PathLike[str] | None = None):
        self.notebook, self.lang = Path(notebook).stem, check_lang(lang)
        folder = Path(directory) if directory is not None else text_dir()
        self.sections: dict[str, str] = {}
        self.origin: dict[str, Path] = {}
        for stem in (SHARED, self.notebook):
            path = folder / f"{stem}.{lang}.md"
            if stem == SHARED and not path.is_file():
                continue
            for name, body in read_sections(path).items():
                if name in self.sections:
                    raise ValueError(f"{path}, section {name}: also in {self.origin[name]}; "
                                     "expected one definition")
                self.sections[name] = body
                self.origin[name] = path

    def __call__(self, section: str, **fields: Any) -> str:
        """Section ``section`` filled with ``fields`` (Markdown text; text fields escaped)."""
        return self._render(_ENV, section, fields)

    def plain(self, section: str, **fields: Any) -> str:
        """Section ``section`` filled with ``fields`` as plain text, for a chart label or a table
        cell (which escape their text themselves)."""
        return self._render(_PLAIN_ENV, section, fields)

    def _render(self, env: jinja2.Environment, section: str, fields: dict[str, Any]) -> str:
        if section not in self.sections:
            raise KeyError(f"{self.notebook}.{self.lang}.md: no section {section!r}; expected one "
                           f"of {', '.join(self.sections)}")
        try:
            return unwrap(env.from_string(self.sections[section]).render(**fields))
        except jinja2.UndefinedError as exc:
            raise KeyError(f"{self.origin[section]}, section {section}: {exc.message}; "
                           f"fields given: {', '.join(sorted(fields)) or 'none'}") from None
        except TypeError as exc:
            raise TypeError(f"{self.origin[section]}, section {section}: {exc}") from None


def fields_of(source: str) -> set[str]:
    """The field names a template section uses."""
    from jinja2 import meta

    return set(meta.find_undeclared_variables(_ENV.parse(source)))
