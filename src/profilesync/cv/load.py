"""Read the configured CV in its format (profilesync YAML, BibTeX, RenderCV, JSON Resume).

The format registry (``cv.formats``) picks the class: a profilesync ``cv.yaml`` is read by
``cv.record.load_cv`` (errors with line and column); the other formats are opened as the same
``CvDocument`` that ``push --to cv`` edits (so the keys a diff names are the keys a push finds),
turned into CV-schema data and validated like a ``cv.yaml``; a problem names the entry by its key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from profilesync.config import Config
    from profilesync.cv.record import CvRecord


def load_cv_for(config: Config, label: str | None = None) -> CvRecord:
    """Read the configured CV in its format. Raises ``UserError`` naming the file and entry."""
    from profilesync.cv.formats import load_record

    return load_record(config.cv_path, config.cv_format, label, person_name=config.name, aliases=config.aliases)
