"""Small helpers of the batch runner: slugs and JSON as the runner writes them."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

from dxlib.fileio import atomic_write_text


def slugify(value: Any) -> str:
    """Lower-case ASCII slug: Vietnamese diacritics folded (``đ`` -> ``d``), every run of other
    characters -> ``_``; lists are joined with ``-``; ``None`` -> ``none``.

    >>> slugify("Kinh tế số – Đắk Lắk")
    'kinh_te_so_dak_lak'
    """
    if isinstance(value, list | tuple):
        return "-".join(slugify(v) for v in value)
    if value is None:
        return "none"
    text = str(value).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def dumps_json(obj: Any) -> str:
    """JSON as dxlib writes it: sorted keys, UTF-8 text (no ``\\u`` escapes), indent 2, final
    newline."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Atomically write ``obj`` as :func:`dumps_json` text."""
    return atomic_write_text(path, dumps_json(obj))


def value_text(value: Any) -> str:
    """A parameter value as the reports show it: text as is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
