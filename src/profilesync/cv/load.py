"""Pick the reader for the CV's format (profilesync YAML, BibTeX, RenderCV, JSON Resume)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from profilesync.config import CvFormat
from profilesync.errors import Problem, UserError

if TYPE_CHECKING:
    from profilesync.config import Config
    from profilesync.cv.record import CvRecord


def load_cv_for(config: Config, label: str | None = None) -> CvRecord:
    from profilesync.cv.record import load_cv

    if config.cv_format is CvFormat.PROFILESYNC:
        return load_cv(config.cv_path, label)
    raise UserError([Problem(label or str(config.cv_path), None, f"CV format {config.cv_format.value!r} is not supported yet", "use format: profilesync")])
