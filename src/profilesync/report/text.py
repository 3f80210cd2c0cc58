"""The terminal report, built to be read on a profile of hundreds of works.

It opens with the summary (counts per kind, each source and its status), then lists the changes
that ask for a decision (new versions, works the CV lacks, fields whose values differ, works
that are not the researcher's, duplicates), then the additions (a value a source has and the
CV lacks: pages, a DOI, an arXiv id, a code link) one line per CV work, then the metrics. So the
ten changes that matter are not buried under two hundred DOIs to fill in.

Every line fits ``WIDTH`` columns (display cells, so wide characters count twice): long titles
are shortened with an ellipsis around the words that differ, other long text is wrapped.
``explain=True`` lists every change in full instead, additions included: the whole reason, the
match explanation and the feature scores, nothing shortened. Colour only on a terminal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from wcwidth import clip, wrap
from wcwidth import width as text_width

from profilesync.diff.changes import KIND_ORDER
from profilesync.model import parse_time
from profilesync.normalize.text import normalize_title
from profilesync.report.json import verdict

WIDTH = 120
ELLIPSIS = "…"
INDENT = "  "
DETAIL = "      "  # the indent of an entry's second and later lines

HEADINGS: dict[str, str] = {
    "new_version": "Preprints that were published",
    "missing_in_cv": "Works the CV lacks",
    "field_differs": "Fields that differ",
    "profile_differs": "Profile fields that differ",
    "missing_in_source": "CV works a source lacks",
    "foreign_work": "Works that are not the researcher's",
    "duplicate_in_source": "Works a source lists twice",
    "duplicate_in_cv": "Works the CV lists twice",
    "metric_changed": "Metrics that moved",
}
ADDITIONS_HEADING = "Additions: values a source has and the CV lacks"

_COLOURS = {"bold": "\033[1m", "dim": "\033[2m", "red": "\033[31m", "green": "\033[32m", "yellow": "\033[33m", "cyan": "\033[36m", "reset": "\033[0m"}
_SPACE = re.compile(r"\s+")
_EMPTY: tuple[Any, ...] = (None, "", [])
# Break lines at spaces only: a URL, DOI or page range split at "/" or "-" cannot be copied.
_WRAP: dict[str, Any] = {"line_break": "ascii", "break_on_hyphens": False}


class _Style:
    def __init__(self, colour: bool):
        self.colour = colour

    def __call__(self, text: str, *styles: str) -> str:
        if not self.colour or not styles:
            return text
        return "".join(_COLOURS[s] for s in styles) + text + _COLOURS["reset"]


def is_addition(change: dict[str, Any]) -> bool:
    """A value the CV lacks: safe to add, nothing of the CV's is replaced (listed last, grouped)."""
    return change["kind"] == "field_differs" and (change.get("field") == "code" or change.get("cv_value") in _EMPTY)


def _plain(value: Any) -> str:
    """A value as one line of text (a source's string may carry newlines or tabs)."""
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    return _SPACE.sub(" ", str(value)).strip()


def shorten(text: str, room: int) -> str:
    """``text`` in at most ``room`` columns: cut at a word boundary and end with an ellipsis."""
    if text_width(text) <= room:
        return text
    cut = clip(text, 0, max(room - 1, 1)).rstrip()
    space = cut.rfind(" ")
    if space >= len(cut) * 2 // 3:  # a word boundary not too far back reads better than half a word
        cut = cut[:space].rstrip(" ,;:-")
    return cut + ELLIPSIS


def shorten_pair(a: str, b: str, room: int) -> tuple[str, str]:
    """Shorten two versions of one text so that the words that differ stay visible.

    Titles that differ only near the end ("...for Deep Learning Training" vs "...Workloads")
    lose their common beginning, not the difference.
    """
    if text_width(a) <= room and text_width(b) <= room:
        return a, b
    common = len(os.path.commonprefix([a, b]))
    need = max(len(a), len(b)) - room + 1  # what to drop from the front for both to fit
    limit = max(common - 12, 0)  # keep the words just before the difference
    cut = min(need, limit)
    if cut > 0:
        start = a.find(" ", cut)
        if start < 0 or start > limit:
            start = a.rfind(" ", 0, cut)
        if start > 0:
            a, b = ELLIPSIS + a[start + 1 :], ELLIPSIS + b[start + 1 :]
    return shorten(a, room), shorten(b, room)


def _age(fetched_at: str | None, now: datetime) -> str:
    if not fetched_at:
        return ""
    delta = now - parse_time(fetched_at)
    if delta.total_seconds() < -300:
        return "in the future"  # never "fresh": the pipeline flags such a snapshot
    days = delta.days
    if days >= 2:
        return f"{days} days old"
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} h old" if hours >= 1 else "fresh"


class _Lines:
    """Collects the report's lines; in the compact view a line too wide is wrapped, never cut."""

    def __init__(self, explain: bool):
        self.explain = explain
        self.lines: list[str] = []

    def add(self, line: str, hang: str = DETAIL) -> None:
        line = line.rstrip()
        if self.explain or text_width(line) <= WIDTH:
            self.lines.append(line)
            return
        self.lines.extend(wrap(line, WIDTH, subsequent_indent=hang, **_WRAP))

    def text(self, text: str, indent: str = DETAIL, *, max_lines: int | None = None) -> None:
        """Running text (a reason): wrapped under ``indent``; ``max_lines`` ends it with an ellipsis."""
        if self.explain:
            self.lines.append(indent + text)
            return
        self.lines.extend(wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent, **_WRAP, max_lines=max_lines, placeholder=" " + ELLIPSIS))

    def pack(self, lead: str, hang: str, atoms: Sequence[str]) -> None:
        """``atoms`` joined by spaces after ``lead``; a new line (under ``hang``) only between atoms."""
        line = lead
        for atom in atoms:
            if line not in (lead, hang) and not self.explain and text_width(line) + 1 + text_width(atom) > WIDTH:
                self.add(line.rstrip())
                line = hang
            line += ("" if line in (lead, hang) else " ") + atom
        self.add(line, hang=hang)

    def blank(self) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")


def render_text(report: dict[str, Any], *, colour: bool = False, explain: bool = False) -> str:
    from profilesync.report.escape import visible_report

    report = visible_report(report)  # no value from a source, the CV or a snapshot drives the terminal
    style = _Style(colour)
    out = _Lines(explain)
    changes = report["changes"]
    additions = [c for c in changes if is_addition(c)]
    metrics = [c for c in changes if c["kind"] == "metric_changed"]
    review = [c for c in changes if c["kind"] != "metric_changed" and not is_addition(c)]

    out.add(style(f"profilesync report for {_plain(report['profile']['name'])}", "bold") + style(f"  ({report['generated_at']})", "dim"))
    out.blank()
    _summary(out, style, report, review, additions, metrics)
    out.blank()
    _sources(out, style, report)
    out.blank()

    by_kind: dict[str, list[dict[str, Any]]] = {}
    for change in review:
        by_kind.setdefault(change["kind"], []).append(change)
    for kind in _kinds(by_kind):
        group = by_kind[kind]
        out.add(style(f"{HEADINGS.get(kind, kind)} ({len(group)})", "bold"))
        if explain:
            for change in group:
                _explained(out, style, change)
        else:
            _compact_group(out, style, kind, group)
        out.blank()

    if additions:
        if explain:
            out.add(style(f"{ADDITIONS_HEADING} ({len(additions)})", "bold"))
            for change in additions:
                _explained(out, style, change)
        else:
            _additions(out, style, additions)
        out.blank()

    if metrics:
        out.add(style(f"{HEADINGS['metric_changed']} ({len(metrics)})", "bold"))
        for change in metrics:
            if explain:
                _explained(out, style, change)
            else:
                out.add(f"{INDENT}- {style(change['source'], 'dim')}  {_plain(change['reason'])}")
        out.blank()
    return "\n".join(out.lines).rstrip() + "\n"


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _kinds(by_kind: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The report's order of kinds; a kind this renderer does not know yet comes last, not never."""
    known = [k.value for k in KIND_ORDER if k.value in by_kind]
    return known + sorted(k for k in by_kind if k not in known)


def _summary(out: _Lines, style: _Style, report: dict[str, Any], review: list, additions: list, metrics: list) -> None:
    changes = report["changes"]
    said = verdict(report)  # the same words in every format when nothing differs
    if said is not None:
        agrees, label, sentence = said
        out.add(style(f"{label}: {sentence}", "green" if agrees else "yellow", "bold"))
    else:
        parts = [f"{len(review)} to review"]
        if additions:
            parts.append(f"{len(additions)} {_plural(len(additions), 'value')} to add")
        if metrics:
            parts.append(f"{len(metrics)} {_plural(len(metrics), 'metric')} moved")
        out.add(style(f"Summary: {len(changes)} changes", "bold") + ": " + ", ".join(parts))
        counts: dict[str, int] = {}
        for change in review:
            counts[change["kind"]] = counts.get(change["kind"], 0) + 1
        if counts:
            out.add(f"{INDENT}{'to review':<11}" + ", ".join(f"{counts[k]} {k}" for k in _kinds({k: [] for k in counts})), hang=INDENT + " " * 11)
        if additions:
            fields: dict[str, int] = {}
            for change in additions:
                fields[change["field"]] = fields.get(change["field"], 0) + 1
            listed = ", ".join(f"{n} {name}" for name, n in sorted(fields.items(), key=lambda item: (-item[1], item[0])))
            out.add(f"{INDENT}{'to add':<11}{listed} (field_differs where the CV has no value)", hang=INDENT + " " * 11)
        if metrics:
            out.add(f"{INDENT}{'metrics':<11}{len(metrics)} metric_changed")
    if report.get("incomplete"):
        out.add(style("Incomplete: at least one source failed or has no usable snapshot (see Sources); a stale one's last good snapshot was used.", "yellow"))
    if report.get("suppressed"):
        out.add(style(f"({report['suppressed']} changes you decided on earlier are not shown)", "dim"))


def _sources(out: _Lines, style: _Style, report: dict[str, Any]) -> None:
    now = parse_time(report["generated_at"])
    out.add(style("Sources", "bold"))
    for name, info in report["sources"].items():
        state = info["status"]
        mark = {"ok": style("ok   ", "green"), "stale": style("STALE", "yellow"), "failed": style("FAIL ", "red"), "disabled": style("off  ", "dim")}.get(state, state)
        parts = [f"{INDENT}{mark} {name:<8}"]
        if "works" in info:
            parts.append(f"{info['works']:>3} works")
        if info.get("fetched_at"):
            parts.append(f"fetched {info['fetched_at'][:10]} ({_age(info['fetched_at'], now)})")
        if info.get("sample"):
            parts.append(style("[sample data]", "cyan"))
        out.add("  ".join(parts))
        if info.get("error"):
            out.text(style(_plain(info["error"]), "yellow" if state == "stale" else "red"), " " * 11)
    for name, values in report.get("metrics", {}).items():
        bits = [f"{label} {values[key]}" for key, label in (("citations", "citations"), ("h_index", "h-index"), ("i10_index", "i10-index")) if key in values]
        if bits:
            out.add(style(f"{INDENT}{name} metrics: " + ", ".join(bits), "dim"))


# -- the compact view ---------------------------------------------------------------------------


def _tier(change: dict[str, Any], style: _Style) -> str:
    tier = change["match"].get("tier", "none")
    return "" if tier == "none" else " " + style(f"[{tier}]", "cyan" if tier == "strong" else "yellow")


def _match_line(out: _Lines, style: _Style, change: dict[str, Any]) -> None:
    """The match explanation on one line (shortened); ``--explain`` shows it whole."""
    match = change["match"]
    if match.get("tier", "none") == "none" or match.get("by") in (None, "none") or not match.get("explanation"):
        return
    out.add(style(DETAIL + shorten(f"match: {_plain(match['explanation'])}", WIDTH - len(DETAIL)), "dim"))


def _work_label(work: dict[str, Any] | None) -> str:
    if not work:
        return ""
    bits = [_plain(b) for b in (work.get("venue"), work.get("year")) if b not in _EMPTY]
    return f" ({' '.join(bits)})" if bits else ""


def _head(out: _Lines, prefix: str, title: str, suffix: str = "") -> None:
    """``prefix`` + a title shortened to what is left of the line + ``suffix``."""
    room = WIDTH - text_width(prefix) - text_width(suffix)
    out.add(prefix + shorten(title, max(room, 20)) + suffix)


def _compact_group(out: _Lines, style: _Style, kind: str, group: list[dict[str, Any]]) -> None:
    if kind == "field_differs":
        _field_groups(out, style, group)
        return
    for change in group:
        source = style(change["source"], "dim")
        work = change.get("work") or {}
        if kind == "new_version":
            _new_version(out, style, change)
        elif kind == "missing_in_cv":
            _head(out, f"{INDENT}- {source}  ", _plain(work.get("title", "")), _work_label(work))
            ids = [f"{k} {v}" for k, v in (work.get("ids") or {}).items() if k in ("doi", "arxiv")]
            also = [f"also on {', '.join(change['also_in'])}"] if change.get("also_in") else []
            if ids or also:
                out.add(DETAIL + "; ".join([", ".join(ids)] * bool(ids) + also))
        elif kind == "missing_in_source":
            _head(out, f"{INDENT}- {source}  {style(str(change['cv_key']), 'bold')}  ", _plain(change.get("cv_value") or ""))
        elif kind == "foreign_work":
            _head(out, f"{INDENT}- {source}  ", _plain(work.get("title", "")), _work_label(work))
            out.text(_plain(change["reason"]).removeprefix("not the researcher's: "), max_lines=2)
        elif kind == "duplicate_in_source":
            title = _plain(work.get("title", ""))
            _head(out, f"{INDENT}- {source}{_tier(change, style)}  ", title)
            other = _plain(change.get("source_value") or "")
            if other and normalize_title(other) != normalize_title(title):
                _head(out, DETAIL + 'also as "', other, f'"; merge them on {change["source"]}')
            else:
                out.add(f"{DETAIL}listed twice; merge them on {change['source']}")
            _match_line(out, style, change)
        elif kind == "profile_differs":
            cv_value = change.get("cv_value")
            out.add(f"{INDENT}- {source}  {change.get('field')}: {'(none)' if cv_value in _EMPTY else _plain(cv_value)} -> {_plain(change.get('source_value'))}")
        else:
            where = change.get("cv_key") or _plain(work.get("title", "")) or change.get("field") or ""
            _head(out, f"{INDENT}- {source}{_tier(change, style)}  ", str(where))
            out.text(_plain(change["reason"]), max_lines=2)
            _match_line(out, style, change)


def _new_version(out: _Lines, style: _Style, change: dict[str, Any]) -> None:
    cv, new = change.get("cv_value") or {}, change.get("source_value") or {}
    ids = ([f"doi {new['doi']}"] if new.get("doi") else []) + ([f"keep arXiv {new['arxiv']}"] if new.get("arxiv") else [])
    out.add(f"{INDENT}- {style(str(change['cv_key']), 'bold')}  {style(change['source'], 'dim')}{_tier(change, style)}  " + "; ".join(["published", *ids]))

    def label(value: dict[str, Any]) -> str:
        bits = " ".join(_plain(b) for b in (value.get("venue"), value.get("year")) if b not in _EMPTY)
        n = len(value.get("authors") or [])
        return f" ({bits}{', ' if bits else ''}{n} authors)"

    name = change["source"] + ":"
    width = max(len("CV:"), len(name)) + 1
    rows = [("CV:", _plain(cv.get("title", "")), label(cv), "red"), (name, _plain(new.get("title", "")), label(new), "green")]
    for tag, title, suffix, colour in rows:
        prefix = f"{DETAIL}{tag:<{width}}"
        room = WIDTH - text_width(prefix) - text_width(suffix)
        out.add(style(prefix + shorten(title, max(room, 20)) + suffix, colour))
    _match_line(out, style, change)


def _field_groups(out: _Lines, style: _Style, group: list[dict[str, Any]]) -> None:
    """Field changes of one CV work from one source under one head line with the match."""
    runs: list[list[dict[str, Any]]] = []
    for change in group:
        key = (change["cv_key"], change["source"], change["match"].get("tier"), change["match"].get("explanation"))
        if runs and (runs[-1][0]["cv_key"], runs[-1][0]["source"], runs[-1][0]["match"].get("tier"), runs[-1][0]["match"].get("explanation")) == key:
            runs[-1].append(change)
        else:
            runs.append([change])
    for run in runs:
        first = run[0]
        out.add(f"{INDENT}- {style(str(first['cv_key']), 'bold')}  {style(first['source'], 'dim')}{_tier(first, style)}")
        _match_line(out, style, first)
        name_width = max(len(c["field"]) for c in run) + 2
        for change in run:
            _field_row(out, style, change, name_width)


def _field_row(out: _Lines, style: _Style, change: dict[str, Any], name_width: int) -> None:
    field, source = change["field"], change["source"]
    notes = [f"also {', '.join(change['also_in'])}"] if change.get("also_in") else []
    lead = f"{DETAIL}{field:<{name_width}}"
    if field == "authors":
        # The reason names who was added or dropped, which is what a reader checks.
        out.text(_plain(change["reason"]) + "".join(f" ({n})" for n in notes), lead if text_width(lead) < 40 else DETAIL)
        return
    cv_value, new_value = _plain(change.get("cv_value")), _plain(change.get("source_value"))
    if field == "title" and normalize_title(cv_value) == normalize_title(new_value):
        notes.append("case or punctuation only")
    note = f" ({'; '.join(notes)})" if notes else ""
    one_line = f"{lead}{cv_value} -> {new_value}{note}"
    if field != "title" and text_width(one_line) <= WIDTH:  # titles one above the other, to compare word by word
        out.add(one_line)
        return
    tags = ("CV:", f"{source}:")
    tag_width = max(map(len, tags)) + 1
    room = WIDTH - text_width(lead) - tag_width
    a, b = shorten_pair(cv_value, new_value, room)
    out.add(style(f"{lead}{tags[0]:<{tag_width}}{a}", "red"))
    out.add(style(f"{' ' * text_width(lead)}{tags[1]:<{tag_width}}{b}", "green"))
    if note:
        out.add(" " * text_width(lead) + note.strip())


def _additions(out: _Lines, style: _Style, additions: Sequence[dict[str, Any]]) -> None:
    """One line per CV work: ``  key  + pages 69-85, doi 10.1145/... [dblp]; code ... [github, probable]``."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for change in additions:
        by_key.setdefault(str(change["cv_key"]), []).append(change)
    out.add(style(f"{ADDITIONS_HEADING} ({len(additions)} for {len(by_key)} CV works)", "bold") + style("  [source; tier unless strong]", "dim"))
    key_width = min(max(len(k) for k in by_key), 28) + 2
    for key, group in by_key.items():
        # Atoms are packed whole, so a line breaks between values, never inside "field value".
        atoms: list[str] = []
        for (source, tier, also), values in _runs(group):
            where = ", ".join([source, *also]) + ("" if tier in ("strong", None) else f", {tier}")
            atoms.extend(f"{v}," for v in values[:-1])
            atoms.append(f"{values[-1]} {style(f'[{where}]', 'dim')};")
        atoms[-1] = atoms[-1].removesuffix(";")
        padded = key.ljust(key_width - 2) + "  "
        lead = f"{INDENT}{style(padded, 'bold')}+ "
        out.pack(lead, " " * text_width(lead), atoms)


def _runs(group: Iterable[dict[str, Any]]) -> list[tuple[tuple[str, str | None, tuple[str, ...]], list[str]]]:
    """Values grouped by who proposes them (source, tier, agreeing sources), in first-seen order."""
    runs: dict[tuple[str, str | None, tuple[str, ...]], list[str]] = {}
    for change in group:
        key = (change["source"], change["match"].get("tier"), tuple(change.get("also_in") or ()))
        runs.setdefault(key, []).append(f"{change['field']} {_plain(change.get('source_value'))}")
    return list(runs.items())


# -- the explained view -------------------------------------------------------------------------


def _explained(out: _Lines, style: _Style, change: dict[str, Any]) -> None:
    """One change in full: the whole reason, both values, the match explanation and its features."""
    where = change.get("cv_key") or (change.get("work") or {}).get("title") or change.get("field") or ""
    head = f"{INDENT}- {style(change['source'], 'dim')} {style(str(where), 'bold')}{_tier(change, style)}"
    if change["kind"] == "field_differs":
        head += f" {change['field']}"
    out.add(head)
    out.add(f"{DETAIL}{change['reason']}")
    if change["kind"] == "field_differs" and change.get("field") in ("title", "venue", "year", "pages", "doi", "arxiv"):
        cv_value = change.get("cv_value")
        out.add(style(f"{DETAIL}CV:     {'(none)' if cv_value in _EMPTY else cv_value}", "red"))
        out.add(style(f"{DETAIL}{change['source']}:{' ' * max(1, 7 - len(change['source']))}{change.get('source_value')}", "green"))
    match = change["match"]
    if match.get("explanation") and match.get("tier", "none") != "none" and match.get("by") not in (None, "none"):
        out.add(style(f"{DETAIL}match: {match['explanation']}", "dim"))
    if match.get("features"):
        details = ", ".join(f"{f['name']}={f['value']:.2f}x{f['weight']:g}" for f in match["features"])
        out.add(style(f"{DETAIL}features: {match.get('by')} score {match.get('score', 0):.2f} ({details})", "dim"))
