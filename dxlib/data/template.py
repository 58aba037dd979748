"""An empty Excel workbook for a department to fill in with its own figures.

The data sheet has the observation columns with bilingual headers ("Năm | year"); the loader
reads the part after the last '|', so a filled workbook loads like a CSV. Rows left blank are
skipped on loading (they are data still missing, not errors).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dxlib.data import OBSERVATION_COLUMNS, OBSERVATION_OPTIONAL, TargetRegistry, series_indicators
from dxlib.fileio import atomic_write_bytes

HEADERS_VI = {
    "geo": "Địa bàn", "indicator": "Mã chỉ tiêu", "year": "Năm", "value": "Giá trị",
    "unit": "Đơn vị", "source_url": "Địa chỉ nguồn", "source_title": "Tên nguồn",
    "published": "Ngày công bố", "quote": "Trích dẫn nguyên văn", "confidence": "Độ tin cậy",
    "as_of": "Số liệu tính đến ngày", "note": "Ghi chú",
    "bound": "Cận (lower: 'trên/hơn', upper: 'gần/dưới')", "definition": "Định nghĩa",
}

INSTRUCTIONS = [
    ("Hướng dẫn", "Instructions"),
    ("Mỗi dòng của trang 'Số liệu - Data' là một giá trị đã công bố của một chỉ tiêu trong một năm.",
     "Each row of the 'Số liệu - Data' sheet is one published value of one indicator in one year."),
    ("Điền 'Giá trị' bằng số, dấu chấm là dấu thập phân (85.75), không dùng dấu phân cách hàng "
     "nghìn (3000).",
     "Write 'value' as a number with a dot for decimals (85.75) and no thousands separator (3000)."),
    ("Bắt buộc ghi nguồn: địa chỉ (http...), tên văn bản/bài viết, ngày công bố và câu trích dẫn "
     "nguyên văn có con số.",
     "A source is required: its address (http...), title, publication date and a verbatim quote "
     "containing the number."),
    ("Độ tin cậy: high (số liệu chính thức), medium (nguồn thứ cấp, số làm tròn), low (không rõ "
     "năm hoặc phạm vi).",
     "Confidence: high (official figure), medium (secondary source, rounded), low (year or scope "
     "unclear)."),
    ("Số liệu chưa hết năm (ví dụ 'đến 6/8/2025'): ghi ngày vào cột 'Số liệu tính đến ngày' "
     "(YYYY-MM-DD).",
     "Partial-year figures (e.g. 'as of 6 Aug 2025'): put the date in 'as_of' (YYYY-MM-DD)."),
    ("Dòng để trống được bỏ qua: đó là số liệu còn thiếu.",
     "Rows left blank are skipped: they are data still missing."),
    ("Kiểm tra: dx validate --observations <tệp này>.xlsx",
     "Check: dx validate --observations <this file>.xlsx"),
]


def template_rows(reg: TargetRegistry, indicators: pd.DataFrame,
                  from_year: int | None = None) -> pd.DataFrame:
    """One row per mapped (geo, indicator) and year, from ``from_year`` (default: five years
    before the plan deadline) to the latest target deadline; value and source left empty."""
    targets = reg.targets[reg.targets["kind"] != "milestone"]
    last = int(targets["deadline"].max()) if len(targets) else int(reg.plan["deadline"])
    first = from_year if from_year is not None else int(reg.plan["deadline"]) - 5
    pairs: list[tuple[str, str]] = []
    for _, t in targets.iterrows():
        for ind in series_indicators(t):
            if (t["geo"], ind) not in pairs:
                pairs.append((t["geo"], ind))
    rows = []
    for geo, ind in pairs:
        for year in range(first, last + 1):
            rows.append({"geo": geo, "indicator": ind, "year": year,
                         "unit": indicators.loc[ind, "unit"]})
    cols = [*OBSERVATION_COLUMNS, *OBSERVATION_OPTIONAL]
    return pd.DataFrame(rows).reindex(columns=cols)


def write_template(reg: TargetRegistry, indicators: pd.DataFrame, output: str | Path,
                   from_year: int | None = None) -> int:
    """Write the workbook (atomically); return the number of rows to fill in."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    rows = template_rows(reg, indicators, from_year)
    wb = Workbook()
    data = wb.active
    data.title = "Số liệu - Data"
    cols = list(rows.columns)
    data.append([f"{HEADERS_VI[c]} | {c}" for c in cols])
    for rec in rows.itertuples(index=False):
        data.append(["" if pd.isna(v) else v for v in rec])
    # Text cells, so that Excel keeps what is typed: no "85.75%" turned into 0.8575, no dates
    # turned into serial numbers.
    for i, c in enumerate(cols, start=1):
        if c not in ("year",):
            for (cell,) in data.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "@"
    for cell in data[1]:
        cell.font = Font(bold=True)
    data.freeze_panes = "A2"
    for i, c in enumerate(cols, start=1):
        data.column_dimensions[data.cell(1, i).column_letter].width = max(12, len(HEADERS_VI[c]) + 8)

    guide = wb.create_sheet("Hướng dẫn - Instructions")
    for vi, en in INSTRUCTIONS:
        guide.append([vi, en])
    guide["A1"].font = guide["B1"].font = Font(bold=True)
    guide.column_dimensions["A"].width = guide.column_dimensions["B"].width = 90
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    cat = wb.create_sheet("Chỉ tiêu - Indicators")
    cat.append(["Mã | indicator", "Tên | name_vi", "Name | name_en", "Đơn vị | unit",
                "Loại | kind", "Cận dưới | lower", "Cận trên | upper", "Mục tiêu | targets"])
    used = sorted(set(rows["indicator"]))
    for ind in used:
        r = indicators.loc[ind]
        tids = [tid for tid, t in reg.targets.iterrows()
                if ind in series_indicators(t)]
        cat.append([ind, r["name_vi"], r["name_en"], r["unit"], r["kind"],
                    None if pd.isna(r["lower"]) else r["lower"],
                    None if pd.isna(r["upper"]) else r["upper"], ", ".join(tids)])
    for cell in cat[1]:
        cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(output, buf.getvalue())
    return len(rows)
