"""The shipped prose templates (notebooks/text/): every notebook has them in both languages, with
the same sections and the same fields, so a translator's edit cannot drop a number."""

from __future__ import annotations

from dxlib.report.text import fields_of, read_sections, text_dir


def test_shipped_templates_have_the_same_sections_and_fields_in_both_languages() -> None:
    # templates are NAME.LANG.md; other notes of the folder (GLOSSARY.md) are not templates
    stems = {p.name.split(".")[0] for p in text_dir().glob("*.*.md")}
    notebooks = {p.stem for p in text_dir().parent.glob("*.ipynb")}
    assert notebooks <= stems
    for stem in sorted(stems):
        vi, en = (read_sections(text_dir() / f"{stem}.{lang}.md") for lang in ("vi", "en"))
        assert list(vi) == list(en), stem
        for name in vi:
            assert fields_of(vi[name]) == fields_of(en[name]), f"{stem}: {name}"
