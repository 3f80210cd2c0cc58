"""Pick the reader for the CV's format (profilesync YAML, BibTeX, RenderCV, JSON Resume).

A profilesync ``cv.yaml`` is read by ``cv.record.load_cv``. The other formats are opened as a
``CvDocument`` (the same object ``push --to cv`` edits, so the keys a diff names are the keys a
push finds), turned into CV-schema data, and validated like a ``cv.yaml``; a problem names the
entry by its key, since a BibTeX or JSON file has no ``publications[3]``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from profilesync.config import CvFormat
from profilesync.errors import Problem, UserError

if TYPE_CHECKING:
    from profilesync.config import Config
    from profilesync.cv.record import CvRecord


def load_cv_for(config: Config, label: str | None = None) -> CvRecord:
    """Read the configured CV in its format. Raises ``UserError`` naming the file and entry."""
    from profilesync.cv.record import load_cv

    if config.cv_format is CvFormat.PROFILESYNC:
        return load_cv(config.cv_path, label)
    from profilesync.cv.document import open_document
    from profilesync.validation import check

    name = label or config.cv_path.name
    document = open_document(config.cv_path, config.cv_format, name, person_name=config.name, aliases=config.aliases)
    data = document.to_data()
    keys = [p.get("key") for p in data["publications"]]
    problems = [_by_key(p, keys) for p in check(data, "cv.schema.json", name)]
    dupes = sorted({str(k) for k in keys if keys.count(k) > 1})
    if dupes:
        problems.append(Problem(name, None, f"the key(s) {', '.join(dupes)} are used twice", "give each entry its own key"))
    if problems:
        raise UserError(problems)
    return document.record()


def _by_key(problem: Problem, keys: list[object]) -> Problem:
    """``publications[3].ids.doi`` -> ``entry zhang2023auncel: ids.doi``."""
    match = re.match(r"publications\[(\d+)\]\.?(.*)", problem.where or "")
    if not match or int(match.group(1)) >= len(keys):
        return problem
    return Problem(problem.file, f"entry {keys[int(match.group(1))]}" + (f": {match.group(2)}" if match.group(2) else ""), problem.what, problem.fix)
