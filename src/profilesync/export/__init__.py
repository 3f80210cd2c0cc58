"""Homepage and CV files generated from the CV record.

``render(record, fmt)`` returns an ``ExportResult``: one text for single-file formats, or
``{relative path: text}`` for the formats that write a directory (Hugo bundles, Jekyll pages).
Every exporter is a pure function of the record, so the same CV gives the same bytes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from profilesync.cv.record import CvRecord


class ExportFormat(str, enum.Enum):
    BIBTEX = "bibtex"
    CSL_JSON = "csl-json"
    HUGO = "hugo"
    JEKYLL = "jekyll"
    JSONRESUME = "jsonresume"
    LATEX = "latex"
    MARKDOWN = "markdown"

    @property
    def writes_directory(self) -> bool:
        return self in (ExportFormat.HUGO, ExportFormat.JEKYLL)


@dataclass(frozen=True)
class ExportResult:
    """What an exporter produced: ``text`` (single file) or ``files`` (path -> text)."""

    format: ExportFormat
    text: str | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # what the user must do for the output to show (e.g. site config)
    base: str = ""  # directory formats: the folder under the site root that holds every file


def render(record: CvRecord, fmt: ExportFormat) -> ExportResult:
    """Render the CV record's publications in ``fmt``. Pure: no I/O."""
    works = record.works
    names = record.person.all_names
    if fmt is ExportFormat.BIBTEX:
        from profilesync.export.bibtex import export_bibtex

        return ExportResult(fmt, text=export_bibtex(works))
    if fmt is ExportFormat.CSL_JSON:
        from profilesync.export.csl_json import export_csl_json

        return _checked(ExportResult(fmt, text=export_csl_json(works)), "csl-data.json")
    if fmt is ExportFormat.JSONRESUME:
        from profilesync.export.jsonresume import export_jsonresume

        return _checked(ExportResult(fmt, text=export_jsonresume(record.person, works)), "jsonresume.schema.json")
    if fmt is ExportFormat.LATEX:
        from profilesync.export.latex import export_latex

        return ExportResult(fmt, text=export_latex(works, names))
    if fmt is ExportFormat.MARKDOWN:
        from profilesync.export.markdown import export_markdown

        return ExportResult(fmt, text=export_markdown(works, names))
    if fmt is ExportFormat.HUGO:
        from profilesync.export.hugo import BUNDLE_DIR, export_hugo

        return ExportResult(fmt, files=export_hugo(works), base=BUNDLE_DIR)
    from profilesync.export.jekyll import PUBLICATIONS_DIR, category_notes, export_jekyll

    return ExportResult(fmt, files=export_jekyll(works, names), notes=category_notes(works), base=PUBLICATIONS_DIR)


class InvalidExport(Exception):
    """An export that fails its format's schema: a bug in profilesync, never written out."""


def _checked(result: ExportResult, schema_name: str) -> ExportResult:
    """``result`` if its JSON validates against ``schema_name``; raises ``InvalidExport``."""
    import json

    from profilesync.export.validate import schema_errors

    errors = schema_errors(json.loads(result.text or "null"), schema_name)
    if errors:
        raise InvalidExport(f"{result.format.value} export fails {schema_name}: " + "; ".join(errors[:5]))
    return result
