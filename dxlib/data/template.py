"""An empty Excel workbook for a department to fill in with its own figures.

The data sheet has the observation columns with bilingual headers ("Năm | year"); the loader
reads the part after the last '|', so a filled workbook loads like a CSV. Rows left blank are
skipped on loading (they are data still missing, not errors).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dxlib.data import OBSERVATION_COLUMNS, OBSERVATION_OPTIONAL, TargetRegistry, series_indicators
from dxlib.data.observations import TEMPLATE_COLUMNS
from dxlib.fileio import atomic_write_bytes

HEADERS_VI = {
    "geo": "Địa bàn", "indicator": "Mã chỉ số", "year": "Năm", "value": "Giá trị",
    "unit": "Đơn vị", "source_url": "Địa chỉ nguồn", "source_title": "Tên nguồn",
    "published": "Ngày công bố", "quote": "Trích dẫn nguyên văn", "confidence": "Độ tin cậy",
    "as_of": "Số liệu tính đến ngày", "note": "Ghi chú",
    "bound": "Cận (lower: 'trên/hơn', upper: 'gần/dưới')", "definition": "Định nghĩa",
    "targets": "Chỉ tiêu liên quan", "department": "Cơ quan chủ trì",
}

INSTRUCTIONS = [
    ("Hướng dẫn", "Instructions"),
    ("Mỗi dòng của trang 'Số liệu - Data' là một số liệu đã công bố của một chỉ số trong một năm.",
     "Each row of the 'Số liệu - Data' sheet is one published value of one indicator in one year."),
    ("Cột 'Giá trị' ghi bằng số, dùng dấu chấm làm dấu thập phân (85.75), không dùng dấu phân cách "
     "hàng nghìn (3000).",
     "Write 'value' as a number with a dot for decimals (85.75) and no thousands separator (3000)."),
    ("Bắt buộc ghi nguồn: địa chỉ (http...), tên văn bản/bài viết, ngày công bố và câu trích dẫn "
     "nguyên văn có chứa con số.",
     "A source is required: its address (http...), title, publication date and a verbatim quote "
     "containing the number."),
    ("Độ tin cậy: high (số liệu chính thức), medium (nguồn thứ cấp, số đã làm tròn), low (không rõ "
     "năm hoặc phạm vi).",
     "Confidence: high (official figure), medium (secondary source, rounded), low (year or scope "
     "unclear)."),
    ("Số liệu chưa trọn năm (ví dụ 'đến ngày 6/8/2025'): ghi ngày vào cột 'Số liệu tính đến ngày' "
     "theo dạng năm-tháng-ngày (2025-08-06).",
     "Partial-year figures (e.g. 'as of 6 Aug 2025'): put the date in 'as_of' (YYYY-MM-DD)."),
    ("Dòng để trống sẽ được bỏ qua (coi là số liệu còn thiếu).",
     "Rows left blank are skipped: they are data still missing."),
    ("Số liệu ghi 'trên', 'hơn', 'vượt' (ví dụ 'vượt 25 tỷ USD'): ghi 25 vào cột 'Giá trị' và "
     "'lower' vào cột 'Cận'; số liệu ghi 'gần', 'dưới': ghi 'upper'.",
     "Figures stated as 'over', 'more than' (e.g. 'over 25 bn USD'): write 25 and 'lower' in "
     "'bound'; 'nearly', 'under': 'upper'."),
    ("Khi cách tính chỉ số thay đổi, ghi tên ngắn của cách tính mới vào cột 'Định nghĩa': "
     "số liệu theo các cách tính khác nhau không được nối thành một chuỗi.",
     "When the way an indicator is counted changes, put a short name of the new definition in "
     "'definition': values under different definitions are never joined into one trend."),
    ("Cột 'Chỉ tiêu liên quan' và 'Cơ quan chủ trì' chỉ để tham khảo, không phải số liệu.",
     "The columns 'targets' and 'department' are for reference only, not data."),
    ("Kiểm tra tệp: dx validate --add-observations <tệp này>.xlsx",
     "Check: dx validate --add-observations <this file>.xlsx"),
]


def target_measures(reg: TargetRegistry) -> list[tuple[str, str, list[str]]]:
    """What a department can report, per numeric target: ``(owner, indicator, target ids)`` for
    each indicator of the plan's own measure at the plan's geography, grouped by lead
    department (the registry's order; targets without an owner last), indicators in target
    order. The own measure is ``own_indicator`` where the target is scored on a stand-in, else
    its series; a stand-in at another geography without an own measure gives no row."""
    order = {d: k for k, d in enumerate(reg.departments.index)}
    found: dict[tuple[str, str], list[str]] = {}
    for tid, t in reg.targets.iterrows():
        if t["kind"] == "milestone":
            continue
        own = t.get("own_indicator")
        if isinstance(own, str):
            inds = [own]
        elif isinstance(t["geo"], str) and t["geo"] != reg.geo:
            continue  # a stand-in geography: never asked of the province
        else:
            inds = series_indicators(t)
        owner = t["owner"] if isinstance(t["owner"], str) else ""
        for ind in inds:
            found.setdefault((owner, ind), []).append(str(tid))
    keys = sorted(found, key=lambda k: order.get(k[0], len(order)))  # stable: target order
    return [(owner, ind, found[(owner, ind)]) for owner, ind in keys]


def template_rows(reg: TargetRegistry, indicators: pd.DataFrame,
                  from_year: int | None = None) -> pd.DataFrame:
    """One row per measure of :func:`target_measures` and year, for the plan's geography, from
    ``from_year`` (default: five years before the plan deadline) to the latest target
    deadline; value and source left empty; the last columns name the ``targets`` and the lead
    ``department`` (read back as notes for the reader only, never as data)."""
    targets = reg.targets[reg.targets["kind"] != "milestone"]
    last = int(targets["deadline"].max()) if len(targets) else int(reg.plan["deadline"])
    first = from_year if from_year is not None else int(reg.plan["deadline"]) - 5
    rows = []
    for owner, ind, tids in target_measures(reg):
        dept = (str(reg.departments.loc[owner, "name_vi"]) if owner in reg.departments.index
                else owner)
        for year in range(first, last + 1):
            rows.append({"geo": reg.geo, "indicator": ind, "year": year,
                         "unit": indicators.loc[ind, "unit"], "targets": ", ".join(tids),
                         "department": dept})
    cols = [*OBSERVATION_COLUMNS, *OBSERVATION_OPTIONAL, *TEMPLATE_COLUMNS]
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

    cat = wb.create_sheet("Chỉ số - Indicators")
    cat.append(["Mã | indicator", "Tên | name_vi", "Name | name_en", "Đơn vị | unit",
                "Loại | kind", "Cận dưới | lower", "Cận trên | upper", "Chỉ tiêu liên quan | targets",
                "Cơ quan chủ trì | department", "Định nghĩa | definition"])
    for owner, ind, tids in target_measures(reg):
        r = indicators.loc[ind]
        dept = (str(reg.departments.loc[owner, "name_vi"]) if owner in reg.departments.index
                else owner)
        cat.append([ind, r["name_vi"], r["name_en"], r["unit"], r["kind"],
                    None if pd.isna(r["lower"]) else r["lower"],
                    None if pd.isna(r["upper"]) else r["upper"], ", ".join(tids), dept,
                    r["definition"]])
    for cell in cat[1]:
        cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(output, buf.getvalue())
    return len(rows)
