"""The canonical CV record: reading it (``record``), and writing it back (``writer``, later)."""

from profilesync.cv.record import CvRecord, IgnoreRule, load_cv

__all__ = ["CvRecord", "IgnoreRule", "load_cv"]
