"""``profilesync export``: homepage and CV files generated from the CV record.

Single-file formats print to stdout unless ``--output FILE`` is given; ``--between [NAME]``
then rewrites only the block between the file's ``profilesync:start`` / ``profilesync:end``
marker lines. Directory formats (Hugo bundles, Jekyll pages) need ``--output DIR`` (the site's
root). Files whose content would not change are left alone, so a site build sees no churn.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, nullcontext
from pathlib import Path

from profilesync.app import App
from profilesync.errors import ExitStatus, Problem, UserError
from profilesync.export import ExportFormat, ExportResult, render
from profilesync.writelock import file_digest, lock_timeout, write_lock

DESCRIPTION = """\
Write publication files for a homepage or a LaTeX CV from the CV record.

Formats:
  bibtex      al-folio _bibliography/papers.bib (keys are the CV keys)
  csl-json    CSL-JSON for pandoc, citeproc and Zotero
  hugo        Hugo Blox bundles: content/publication/<slug>/index.md + cite.bib (--output = site root)
  jekyll      academicpages pages: _publications/<date>-<slug>.md (--output = site root)
  jsonresume  a resume.json with basics and publications
  latex       an Awesome-CV \\begin{cventries} block of \\cventry lines
  markdown    a publication list grouped by year

Examples:
  profilesync export --format bibtex --output _bibliography/papers.bib
  profilesync export --format hugo --output ~/site
  profilesync export --format markdown --output README.md --between
        rewrite only the lines between "<!-- profilesync:start -->" and "<!-- profilesync:end -->"
  profilesync export --format latex --output cv/publications.tex --between pubs
        rewrite the block between "% profilesync:start pubs" and "% profilesync:end pubs"
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", "-f", required=True, choices=[f.value for f in ExportFormat], help="what to write")
    parser.add_argument("--output", "-o", metavar="PATH", help="file (or, for hugo/jekyll, the site directory); default: stdout")
    parser.add_argument(
        "--between",
        metavar="MARKER",
        nargs="?",
        const="",
        default=None,
        help="rewrite only the part of --output between 'profilesync:start [MARKER]' and 'profilesync:end [MARKER]' lines",
    )


def run(args: argparse.Namespace, app: App) -> ExitStatus:
    fmt = ExportFormat(args.format)
    _check_arguments(args, fmt)
    record = app.load_cv()
    result = render(record, fmt)
    for note in result.notes:
        app.info(f"note: {note}")
    if fmt.writes_directory:
        return _write_directory(result, app.env.resolve(args.output), app)
    assert result.text is not None
    if not args.output:
        app.out(result.text.rstrip("\n"))
        return ExitStatus.OK
    target = app.env.resolve(args.output)
    label = app.label(target)
    generated = result.text

    def text_now() -> str:
        return generated if args.between is None else _merge_between(target, generated, args.between, label)

    written = _write_if_changed(target, text_now, label, _Lock(app, target))
    app.info(f"{'wrote' if written else 'unchanged'}: {app.label(target)} ({len(record.works)} works, {fmt.value})")
    return ExitStatus.OK


def _check_arguments(args: argparse.Namespace, fmt: ExportFormat) -> None:
    if fmt.writes_directory and not args.output:
        raise UserError([Problem(None, "--output", f"--format {fmt.value} writes a directory of files", "give the site's root directory, e.g. --output .")])
    if args.between is not None and (fmt.writes_directory or not args.output):
        raise UserError([Problem(None, "--between", "needs --output FILE of a single-file format", "add --output with the file that holds the markers")])


def _merge_between(target: Path, generated: str, name: str, label: str) -> str:
    from profilesync.export.markers import replace_between

    try:
        existing = _read_exact(target)
    except FileNotFoundError:
        raise UserError([Problem(label, None, "file not found; --between rewrites part of an existing file", "create it with the marker lines, or drop --between")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError([Problem(label, None, f"cannot read: {exc}")]) from None
    return replace_between(existing, generated, name, label)


class _Lock:
    """The write lock of an export target (``profilesync.writelock``), taken only to write."""

    def __init__(self, app: App, target: Path):
        self.app, self.target = app, target

    def __call__(self) -> AbstractContextManager[Path]:
        return write_lock(self.app.config.cache_dir, self.target, self.app.label(self.target), lock_timeout(self.app.env.environ))


def _constant(text: str) -> Callable[[], str]:
    """``text_now`` for a text already rendered (a callable, for the --between file read late)."""
    return lambda: text


def _holds(target: Path, text: str) -> bool:
    try:
        return target.is_file() and _read_exact(target) == text
    except (OSError, UnicodeDecodeError):
        return False  # unreadable or not text: overwrite it


def _write_if_changed(target: Path, text_now: Callable[[], str], label: str, lock: Callable[[], AbstractContextManager]) -> bool:
    """Write ``text_now()`` atomically unless the file already holds it; True if written.

    ``text_now`` runs once without the lock (so a bad --between file, or a file already up to date,
    is reported without taking it) and once more holding the target's write lock, on the file as
    it is then: another export or push that wrote it meanwhile is built on, not overwritten. The
    file's digest is checked again just before the replace, so an edit made by anything else in
    that moment is refused. A symlink is followed: the file it points to is replaced, the link kept.
    """
    from profilesync.snapshots import atomic_write_text

    if _holds(target, text_now()):
        return False
    if target.is_dir():
        raise UserError([Problem(label, None, "is a directory", "give a file name for this format")])
    with lock():
        before = file_digest(target)
        text = text_now()
        if _holds(target, text):
            return False
        if file_digest(target) != before:
            raise UserError([Problem(label, None, "the file changed on disk while the export was being written (another program wrote it); nothing was written", "run the export again")])
        try:
            atomic_write_text(target, text, keep_mode=True)  # a homepage file keeps its permissions
        except OSError as exc:
            raise UserError([Problem(label, None, f"cannot write: {exc.strerror}", "check the directory exists and is writable")]) from None
    return True


def _write_directory(result: ExportResult, root: Path, app: App) -> ExitStatus:
    if root.exists() and not root.is_dir():
        raise UserError([Problem(app.label(root), None, "is a file, not a directory", "give the site's root directory")])
    written = 0
    # One lock for the whole directory (two exports into one site do not interleave their files),
    # taken when the first file needs writing and held until the last one is written.
    with ExitStack() as held:
        taken: list[Path] = []

        def lock() -> AbstractContextManager:
            if not taken:  # the first file to write takes the directory's lock, for all of them
                taken.append(held.enter_context(_Lock(app, root)()))
            return nullcontext()

        for relative, text in sorted(result.files.items()):
            if _write_if_changed(root / relative, _constant(text), app.label(root / relative), lock):
                written += 1
        removed = _clear_stale(result, root, app, lock)
    gone = f", {removed} stale removed" if removed else ""
    app.info(f"{result.format.value}: {len(result.files)} files under {app.label(root)}, {written} written, {len(result.files) - written} unchanged{gone}")
    return ExitStatus.OK


def _clear_stale(result: ExportResult, root: Path, app: App, lock: Callable[[], AbstractContextManager]) -> int:
    """Remove the files the previous export wrote and this one does not (a page renamed by a new
    year or key), while they hold what was written; record what was written now. Returns how many
    were removed. See ``export.manifest``."""
    from profilesync.export.manifest import (
        MANIFEST_NAME,
        manifest_for,
        read_manifest,
        remove_stale,
        stale_files,
    )

    path = root / result.base / MANIFEST_NAME
    previous, problem = read_manifest(path, result.base)
    if problem:
        app.info(f"note: {problem}")
    current = manifest_for(result.format.value, result.files)
    stale = stale_files(root, previous, result.files) if previous else []
    removed = 0
    for item in stale:
        if item.removable:
            with lock():
                remove_stale(root, result.base, item)
            removed += 1
        else:
            app.info(f"kept {app.label(root / item.relative)}: profilesync wrote it, but it was edited since; delete it if the work is gone")
    _write_if_changed(path, current.to_text, app.label(path), lock)
    return removed


def _read_exact(path: Path) -> str:
    """The file's text with its own line endings (no universal-newline translation)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()
