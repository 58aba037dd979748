"""One call that sets a notebook up: parameters checked, data loaded, words and prose in the
report's language.

::

    from dxlib import report as rp
    nb = rp.setup(globals(), "05_plan_scorecard")
    nb.p.as_of, nb.ds, nb.geo          # parameters, dataset, geography reported on
    nb.say("summary", n_targets=26)    # a section of notebooks/text/05_plan_scorecard.<lang>.md
    nb.prob(0.43), nb.num(1.04, 1)     # "43%", "1,0" (vi); nb.prob(0.0004) -> "< 0,1%"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pandas as pd

from dxlib.report import fmt
from dxlib.report import words as w
from dxlib.report.text import Safe, Text


@dataclass
class Notebook:
    """What a notebook works with: its checked parameters ``p``, the dataset ``ds`` (None for a
    notebook without data parameters), the geography ``geo`` it reports on (None without a
    ``geo`` parameter), its prose ``text`` and helpers bound to the report's language ``lang``."""

    name: str
    p: SimpleNamespace
    lang: str
    ds: Any
    geo: str | None
    text: Text

    # prose
    def fill(self, section: str, **fields: Any) -> Safe:
        """A section of the notebook's template, filled (Markdown text)."""
        return Safe(self.text(section, **fields))

    def say(self, *parts: str) -> Any:
        """One paragraph (a Markdown output) of sections named by the template (filled without
        fields) and already filled texts (:meth:`fill`), joined by spaces; other text is escaped;
        empty parts are left out."""
        from IPython.display import Markdown

        from dxlib.report import esc

        def one(s: str) -> str:
            if isinstance(s, Safe):
                return str(s)
            return self.text(s) if s in self.text.sections else esc(s)

        return Markdown(" ".join(one(s) for s in parts if s))

    def show(self, section: str, **fields: Any) -> Any:
        """One section, filled, as a Markdown output."""
        return self.say(self.fill(section, **fields))

    def context(self, as_of: int | None = None) -> Safe:
        """"Geography: Nghệ An. Assessment based on data up to 2024." (shared template)."""
        return self.fill("context", geo=self.name_of(self.ds.geos, self.geo), as_of=as_of)

    # words and numbers
    @property
    def plan(self) -> str:
        """The plan's title in the report's language."""
        return w.plan_title(self.ds.registry.plan, self.lang)

    def label(self, key: str) -> str:
        return w.label(key, self.lang)

    def status(self, status: str) -> str:
        return w.status_word(status, self.lang)

    def name_of(self, frame: pd.DataFrame | None, key: str) -> str:
        return w.name(frame, key, self.lang)

    def num(self, x: Any, decimals: int | None = None) -> str:
        return fmt.number(x, self.lang, decimals)

    def pct(self, p: Any, decimals: int = 0) -> str:
        """An observed share (a coverage, a rate) as a percentage (:func:`fmt.percent`)."""
        return fmt.percent(p, self.lang, decimals)

    def expected(self, x: Any) -> str:
        """An expected count (:func:`fmt.expected`: "1", "2,4")."""
        return fmt.expected(x, self.lang)

    def prob(self, p: Any) -> str:
        """A probability (:func:`fmt.probability`: never "0%" / "100%" unless it is)."""
        return fmt.probability(p, self.lang)

    def value(self, x: Any, unit: str | None = None) -> str:
        return w.value_text(x, unit, self.lang)


def setup(glb: Mapping[str, Any], notebook: str) -> Notebook:
    """Check the notebook's parameters (:func:`dxlib.batch.nbtools.check_parameters`), load the
    dataset they name (when the notebook has a ``targets`` parameter; the same checks as the batch
    runner) and bind words and prose to the ``lang`` parameter."""
    import dxlib.batch.nbtools as nbt
    from dxlib.report import geo_of, load

    p = nbt.check_parameters(glb, notebook)
    lang = fmt.check_lang(p.lang)
    ds = load(p) if hasattr(p, "targets") else None
    geo = geo_of(ds, p.geo) if ds is not None and hasattr(p, "geo") else None
    return Notebook(name=notebook, p=p, lang=lang, ds=ds, geo=geo, text=Text(notebook, lang))
