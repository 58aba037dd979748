"""Numbers and dates as a reader of the report's language writes them, by Babel's ``vi`` and ``en``
locales: one rule for tables, sentences and chart axes.

Vietnamese writes "12.345,7" (``.`` groups thousands, ``,`` marks decimals), English "12,345.7".
Every function returns "—" for a missing value (None, NaN, NA).
"""

from __future__ import annotations

import datetime as _dt
import math
from decimal import Decimal
from typing import Any

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal

LANGS: tuple[str, ...] = ("vi", "en")
MISSING = "—"


def check_lang(lang: str) -> str:
    """``lang`` itself, or ValueError naming the allowed values."""
    if lang not in LANGS:
        raise ValueError(f"lang: found {lang!r}; expected one of {', '.join(LANGS)}")
    return lang


def missing(x: Any) -> bool:
    """True for None, NaN and pandas' NA/NaT."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def number(x: Any, lang: str, decimals: int | None = None) -> str:
    """``x`` with the language's separators: ``decimals`` fixed decimals (12345.67, 1 -> "12.345,7"
    vi / "12,345.7" en; 1, 1 -> "1,0" / "1.0"), or with ``decimals=None`` as many as the value
    has (up to 12 significant digits, which drops float noise such as 0.30000000000000004) and
    never in exponent form (99.97 -> "99,97"; 122152.1 -> "122.152,1"; 1e6 -> "1.000.000";
    0.00001 -> "0,00001")."""
    check_lang(lang)
    if missing(x):
        return MISSING
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if decimals is None:
        shown = Decimal(f"{x:.12g}")
        return format_decimal(shown, format="#,##0", locale=lang, decimal_quantization=False)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(Decimal(repr(round(x, decimals))), format=pattern, locale=lang)


def percent(p: Any, lang: str, decimals: int = 0) -> str:
    """A share in [0, 1] as a percentage, written the one way the reports write percentages:
    the number by :func:`number`, then "%" with no space (Babel's pattern in ``vi`` and ``en``):
    0.543 -> "54%", 0.12345 with 1 decimal -> "12,3%" (vi). For an observed share (a coverage,
    a rate); a probability goes through :func:`probability`."""
    if missing(p):
        return MISSING
    return number(100 * float(p), lang, decimals) + "%"


def probability(p: Any, lang: str) -> str:
    """A probability in [0, 1] as a whole percentage ("54%"), never reading as certain unless it
    is: a value that would show as "0%" or "100%" but is not exactly 0 or 1 gets one decimal
    (0.004 -> "0,4%"; 0.996 -> "99,6%"), and if it still would, it is bounded: "< 0,1%" /
    "> 99,9%". Exactly 0 and 1 (an outcome already observed) stay "0%" and "100%"."""
    if missing(p):
        return MISSING
    p = float(p)
    if 0 < p < 1:
        for decimals in (0, 1):
            shown = round(100 * p, decimals)
            if 0 < shown < 100:
                return percent(p, lang, decimals)
        return ("< " + percent(0.001, lang, 1)) if p < 0.5 else ("> " + percent(0.999, lang, 1))
    return percent(p, lang)


def expected(x: Any, lang: str) -> str:
    """An expected count (a sum of probabilities): a whole number as written ("1", never "1,0"
    next to a count of 1), other values with one decimal ("2,4")."""
    if missing(x):
        return MISSING
    x = float(x)
    return number(x, lang, 0) if round(x, 1) == round(x) else number(x, lang, 1)


def significant_decimals(x: Any, digits: int = 3) -> int:
    """The decimals that show ``x`` with ``digits`` significant digits (0 for values of
    10 ** digits and more, and for 0 or a missing value): 9.8213 -> 2, 90.39 -> 1, 7531496.6 -> 0.
    Applied to the largest value of a column (or to a forecast's median), it gives the whole
    column (or the median and its range) one number of decimals."""
    if missing(x) or float(x) == 0 or math.isinf(float(x)):
        return 0
    return max(digits - 1 - int(math.floor(math.log10(abs(float(x))))), 0)


def significant(x: Any, lang: str, digits: int = 3, decimals: int | None = None) -> str:
    """A forecast with ``digits`` significant digits (no false precision): 7531496.6 ->
    "7.530.000" (vi) / "7,530,000" (en); 9.8213 -> "9,82" / "9.82". ``decimals`` (from
    :func:`significant_decimals` of a column's largest value) writes a column alike."""
    if missing(x):
        return MISSING
    x = float(x)
    if decimals is None:
        if x == 0:
            return number(0, lang, 0)
        exact = digits - 1 - int(math.floor(math.log10(abs(x))))
        return number(round(x, exact), lang, max(exact, 0))
    return number(x, lang, decimals)


def published(x: Any, lang: str) -> str:
    """A published value as written, without inventing precision: two decimals at most from 1
    up, four below 1, trailing zeros dropped (85.75 -> "85,75"; 216943.0 -> "216.943"; 0.79551
    -> "0,7955")."""
    if missing(x):
        return MISSING
    x = float(x)
    return number(round(x, 2 if abs(x) >= 1 else 4), lang)


def date(d: Any, lang: str) -> str:
    """A calendar date as the language's official documents write it: "30/6/2024" (Vietnamese
    administrative style, day/month/year without leading zeros) / "June 30, 2024"; a month given
    as "2025-03": "3/2025" / "March 2025"; text that is not a date is returned as given."""
    check_lang(lang)
    if missing(d):
        return MISSING
    if isinstance(d, str):
        text = d.strip()
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() \
                and 1 <= int(text[5:]) <= 12:
            month = _dt.date(int(text[:4]), int(text[5:]), 1)
            return (f"{month.month}/{month.year}" if lang == "vi"
                    else format_date(month, format="MMMM y", locale=lang))
        try:
            d = _dt.date.fromisoformat(text[:10])
        except ValueError:
            return d
    if isinstance(d, _dt.datetime | pd.Timestamp):
        d = d.date()
    if lang == "vi":
        return f"{d.day}/{d.month}/{d.year}"
    return format_date(d, format="long", locale=lang)


def _decimals_needed(x: float) -> int:
    text = f"{x:.12g}"
    return 0 if "e" in text or "." not in text else len(text.split(".")[1])


def axis_formatter(lang: str, decimals: int | None = None, suffix: str = ""):
    """A matplotlib tick formatter writing tick values by :func:`number` (27.5 -> "27,5" in
    Vietnamese), with an optional ``suffix`` ("%"). The ticks of one axis share one number of
    decimals (``decimals``, or the most any tick needs: 0,0 0,5 1,0), as matplotlib's own
    formatter does. Use: ``ax.yaxis.set_major_formatter(axis_formatter("vi"))``."""
    from matplotlib.ticker import Formatter

    check_lang(lang)

    class _Localised(Formatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return number(0.0 if x == 0 else x, lang, decimals) + suffix

        def format_ticks(self, values) -> list[str]:
            d = decimals if decimals is not None else max(
                (_decimals_needed(float(v)) for v in values), default=0)
            return [number(0.0 if v == 0 else v, lang, d) + suffix for v in values]

    return _Localised()


def localise_axes(ax: Any, lang: str, *, x: bool = True, y: bool = True) -> Any:
    """Put :func:`axis_formatter` on the numeric axes of ``ax`` (years on an x axis stay as
    written: pass ``x=False``); returns ``ax``."""
    if x:
        ax.xaxis.set_major_formatter(axis_formatter(lang))
    if y:
        ax.yaxis.set_major_formatter(axis_formatter(lang))
    return ax
