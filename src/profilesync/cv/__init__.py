"""The canonical CV: the record the diff reads (``record``, ``load``), the file formats that read
and edit it (``formats``: one registry, one ``CvDocument`` interface), and the one safe write
(``writer``). Nothing here decides what to change: that is ``diff/`` and ``push/``, above this
package, which imports neither."""

from profilesync.cv.record import CvRecord, IgnoreRule, load_cv

__all__ = ["CvRecord", "IgnoreRule", "load_cv"]
