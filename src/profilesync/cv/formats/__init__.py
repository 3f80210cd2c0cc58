"""The CV formats: one registry from a format name to the class that reads and writes it.

Each class is a ``CvDocument`` (``cv.formats.base``): ``open`` reads the file for editing,
``load_record`` reads it for the diff, ``render`` gives the edited text. Adding a format is one
module with one such class plus one line here (and its name in ``config.CvFormat`` and the config
schema's enum). Classes are named by dotted path and imported on first use, so ``--help`` and a run
that never touches a BibTeX CV do not load bibtexparser, and this module imports no format
(formats import ``base``, which imports no format either).
"""

from __future__ import annotations

import importlib
from types import MappingProxyType
from typing import TYPE_CHECKING

from profilesync.config import CvFormat
from profilesync.cv.formats.base import CvDocument

if TYPE_CHECKING:
    from pathlib import Path

    from profilesync.cv.record import CvRecord

__all__ = ["FORMATS", "CvDocument", "document_class", "load_record", "open_document"]

# Format -> "module:Class" of its CvDocument.
FORMATS: MappingProxyType[CvFormat, str] = MappingProxyType(
    {
        CvFormat.PROFILESYNC: "profilesync.cv.formats.yaml:YamlCvDocument",
        CvFormat.BIBTEX: "profilesync.cv.formats.bibtex:BibtexCvDocument",
        CvFormat.RENDERCV: "profilesync.cv.formats.rendercv:RenderCvDocument",
        CvFormat.JSONRESUME: "profilesync.cv.formats.jsonresume:JsonResumeCvDocument",
    }
)


def document_class(fmt: CvFormat) -> type[CvDocument]:
    """The class that reads and writes ``fmt``."""
    module, _, name = FORMATS[fmt].partition(":")
    cls: type[CvDocument] = getattr(importlib.import_module(module), name)
    return cls


def open_document(path: Path, fmt: CvFormat, label: str | None = None, *, person_name: str | None = None, aliases: tuple[str, ...] = ()) -> CvDocument:
    """Open ``path`` for editing in ``fmt``. Raises ``UserError`` if it cannot be read."""
    return document_class(fmt).open(path, label, person_name=person_name, aliases=aliases)


def load_record(path: Path, fmt: CvFormat, label: str | None = None, *, person_name: str | None = None, aliases: tuple[str, ...] = ()) -> CvRecord:
    """Read ``path`` in ``fmt`` into a validated ``CvRecord``. Raises ``UserError`` naming the
    file and the entry."""
    return document_class(fmt).load_record(path, label, person_name=person_name, aliases=aliases)
