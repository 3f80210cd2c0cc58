"""Months as CVs, BibTeX and JSON Resume write them: 5, "05", "May", "may" (BibTeX's macro),
"Sept.", "2023-05-12"."""

from __future__ import annotations

import re
from typing import Any

MONTH_NAMES: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# BibTeX's predefined month macros (jan ... dec), written unbraced: `month = may`.
BIBTEX_MACROS: tuple[str, ...] = tuple(name[:3].lower() for name in MONTH_NAMES)
_BY_NAME = {name.lower(): index for index, name in enumerate(MONTH_NAMES, start=1)} | {m: i for i, m in enumerate(BIBTEX_MACROS, start=1)} | {"sept": 9}
_ISO = re.compile(r"^\d{4}-(\d{2})(?:-\d{2})?")


def parse_month(value: Any) -> int | None:
    """The month 1-12 that ``value`` names, or None when it names none (a missing value, or one
    nobody could read as a month; the CV schema already refuses those in a CV)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= 12 else None
    text = str(value).strip().strip("{}").strip().rstrip(".").lower()
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    iso = _ISO.match(text)
    if iso:
        return parse_month(int(iso.group(1)))
    return _BY_NAME.get(text)


def month_name(month: int | None) -> str | None:
    return MONTH_NAMES[month - 1] if month and 1 <= month <= 12 else None
