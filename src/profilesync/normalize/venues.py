"""Venues by identity: which venue a record is in, whatever name it goes by.

Two layers:

- :func:`venue_key`, patterns over normalised text (``NSDI``, ``Proc. 20th USENIX Symposium on
  Networked Systems Design and Implementation (NSDI '23)`` and ``nsdi23`` give ``nsdi``). The
  matcher's features were fitted on these keys, so they stay as they are.
- the venue table, ``venues.json`` beside this module: DBLP key stream -> venue (kind, short and
  long name, DBLP's own strings, aliases). :func:`venue_identity` says which venue a record is in
  (by its DBLP key when it has one, else by its names), and :meth:`VenueIdentity.same_as` decides
  whether a CV's venue and a source's are one venue. "SIGMOD Conference", "SIGMOD" and "ACM SIGMOD
  International Conference on Management of Data" are one venue; "VLDB J." is not the VLDB
  conference. The diff compares venues this way, never as strings.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from profilesync.normalize.text import normalize_text

# (key, pattern over normalize_text output). Order matters: the first hit wins, so the more
# specific name ("sigmod record", "vldb journal", "sigcomm ccr") comes before the general one.
_VENUES: tuple[tuple[str, str], ...] = (
    ("corr", r"\bcorr\b|\barxiv\b"),
    ("sigmod-record", r"\bsigmod rec(?:ord)?\b|\bsigmod\s?r\b"),
    ("pods", r"\bpods\b|principles of database systems"),
    ("vldb-journal", r"\bvldb j(?:ournal)?\b|\bvldbj\b|vldb journal|international journal on very large data bases"),
    ("pvldb", r"\bpvldb\b|proceedings of the vldb endowment|proc vldb endow"),
    ("tods", r"\btods\b|transactions on database systems|trans(?:actions)? (?:on )?database syst"),
    ("sigmod", r"\bsigmod\b|management of data"),
    ("vldb", r"\bvldb\b|very large data ?bases|very large databases"),
    ("icde", r"\bicde\b|international conference on data engineering|conf(?:erence)? on data eng"),
    ("edbt", r"\bedbt\b|extending database technology"),
    ("cidr", r"\bcidr\b|innovative data systems research"),
    ("tkde", r"\btkde\b|transactions on knowledge and data engineering"),
    ("debull", r"data eng(?:ineering)? bull|\bdebull\b"),
    ("cacm", r"\bcacm\b|communications of the acm|\bcommun acm\b"),
    ("jacm", r"\bjacm\b|journal of the acm|\bj acm\b"),
    ("ccr", r"computer communication review|\bccr\b"),
    ("sigcomm", r"\bsigcomm\b|special interest group on data communication"),
    ("nsdi", r"\bnsdi\b|networked systems design and implementation|networking systems design and implementation"),
    ("osdi", r"\bosdi\b|operating systems design and implementation"),
    ("sosp", r"\bsosp\b|symposium on operating systems principles"),
    ("eurosys", r"\beurosys\b|european conference on computer systems"),
    ("atc", r"\busenix atc\b|\batc\b|usenix annual technical conference"),
    ("asplos", r"\basplos\b|architectural support for programming languages and operating systems"),
    ("socc", r"\bsocc\b|symposium on cloud computing"),
    ("apsys", r"\bapsys\b|asia pacific workshop on systems"),
    ("tocs", r"\btocs\b|transactions on computer systems"),
    ("tosem", r"\btosem\b|transactions on software engineering and methodology"),
    ("tse", r"\btse\b|transactions on software engineering\b"),
    ("icse", r"\bicse\b|international conference on software engineering"),
    ("fse", r"\besec fse\b|\bfse\b|foundations of software engineering"),
    ("mlsys", r"\bmlsys\b|conference on machine learning and systems"),
    ("icml", r"\bicml\b|international conference on machine learning"),
    ("neurips", r"\bneurips\b|\bnips\b|neural information processing systems"),
    ("iclr", r"\biclr\b|international conference on learning representations"),
    ("acl", r"\bacl\b|association for computational linguistics"),
    ("emnlp", r"\bemnlp\b|empirical methods in natural language processing"),
    ("cvpr", r"\bcvpr\b|computer vision and pattern recognition"),
    ("kdd", r"\bkdd\b|knowledge discovery and data mining"),
    ("www", r"\bwww\b|world wide web conference|the web conference"),
    ("sigir", r"\bsigir\b|research and development in information retrieval"),
    ("infocom", r"\binfocom\b"),
    ("sc", r"\bsc\b|high performance computing networking storage and analysis|supercomputing"),
    ("ppopp", r"\bppopp\b|principles and practice of parallel programming"),
    ("tpds", r"\btpds\b|transactions on parallel and distributed systems"),
    ("isca", r"\bisca\b|international symposium on computer architecture"),
    ("micro", r"\bmicro\b|international symposium on microarchitecture"),
    ("hpca", r"\bhpca\b|high performance computer architecture"),
)
def _anchors(pattern: str) -> tuple[str, ...]:
    """For each alternative of ``pattern``, its longest literal piece: the alternative can only
    match text that contains that piece, so a cheap substring test skips most regex searches.
    (The table's groups hold no "|", so splitting on it is safe.)"""
    out = []
    for alternative in pattern.split("|"):
        pieces = re.split(r"\\b|\\s\?|\(\?:[^)]*\)\??| \?|\?", alternative)
        out.append(max((p.strip() for p in pieces), key=len))
    return tuple(out)


_COMPILED = tuple((key, _anchors(pattern), re.compile(pattern)) for key, pattern in _VENUES)
_ACRONYM_YEAR = re.compile(r"\b([a-z]{3,8})(?:\d{2}|\d{4})\b")
# Words that say nothing about which venue it is.
VENUE_STOPWORDS = frozenset(
    "proc proceedings of the on in and for conf conference int intl international symposium workshop "
    "journal j acm ieee usenix annual th st nd rd trans transactions".split()
)


@lru_cache(maxsize=65536)
def venue_key(text: str | None) -> str | None:
    """The canonical key of a known venue (``nsdi``, ``sigmod``, ``corr``...), or None.

    ``NSDI '23``, ``nsdi23`` and the full USENIX name give ``nsdi``.
    """
    norm = normalize_text(text)
    if not norm:
        return None
    norm = _ACRONYM_YEAR.sub(r"\1", norm)
    for key, anchors, pattern in _COMPILED:
        if any(anchor in norm for anchor in anchors) and pattern.search(norm):
            return key
    return None


@lru_cache(maxsize=65536)
def venue_tokens(text: str | None) -> frozenset[str]:
    """The informative words of a venue name (no "proceedings", "conference", years)."""
    return frozenset(t for t in normalize_text(text).split() if t not in VENUE_STOPWORDS and not t.isdigit() and len(t) > 1)


def is_preprint_venue(text: str | None) -> bool:
    """True for a preprint server: arXiv/CoRR (DBLP files arXiv preprints under the journal
    "CoRR"), ECCC, the IACR ePrint archive, bioRxiv (the table's ``preprint`` venues)."""
    if venue_key(text) == "corr":
        return True
    table = venue_table()
    return any(table.by_id[i].kind is VenueKind.PREPRINT for i in venue_ids(text) if i in table.by_id)


# --- the venue table -------------------------------------------------------------------------------

TABLE_FILE = "venues.json"


class VenueKind(str, enum.Enum):
    CONFERENCE = "conference"
    JOURNAL = "journal"
    MAGAZINE = "magazine"
    WORKSHOP = "workshop"
    PREPRINT = "preprint"


@dataclass(frozen=True)
class Venue:
    """One venue of the table. ``dblp`` holds the strings DBLP writes for it; ``names`` every name."""

    id: str
    kind: VenueKind
    short: str
    long: str
    streams: tuple[str, ...] = ()
    dblp: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.short, self.long, *self.dblp, *self.aliases)


@dataclass(frozen=True)
class VenueTable:
    venues: tuple[Venue, ...]
    by_id: Mapping[str, Venue]
    by_stream: Mapping[str, Venue]
    by_name: Mapping[str, frozenset[str]]  # name key -> ids of the venues that go by that name


# Words that do not tell venues apart when they surround a name: "Proceedings of the ...".
_FILLER = frozenset({"proceedings", "proc", "of", "the", "in"})
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")
_PARENS = re.compile(r"\(([A-Za-z][A-Za-z0-9&/+\-. ]{0,30}?)(?:\s*'?\d{2,4})?\)")


@lru_cache(maxsize=65536)
def name_key(text: str | None) -> str:
    """A venue name in comparison form: no case, punctuation, years, ordinals, part numbers or
    "Proceedings of the", spaces removed. ``Proc. SIGMOD '18``, ``SIGMOD 2018`` and ``sigmod18``
    give ``sigmod``; ``3DTV-Conference`` gives ``3dtvconference``; ``ECCV (1)`` gives ``eccv``."""
    norm = _ACRONYM_YEAR.sub(r"\1", normalize_text(text))
    words = [w for w in norm.split() if not w.isdigit() and not _ORDINAL.match(w) and w not in _FILLER]
    return "".join(words)


def _strings(entry: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    value = entry.get(name) or ()
    if isinstance(value, str) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{where}: {name} must be a list of names")
    return tuple(value)


def table_from_data(data: Any, where: str = TABLE_FILE) -> VenueTable:
    """Build the table from the parsed file's ``venues`` list. Raises ValueError naming the entry that is wrong."""
    if not isinstance(data, list):
        raise ValueError(f"{where}: expected a list of venues")
    venues: list[Venue] = []
    by_id: dict[str, Venue] = {}
    by_stream: dict[str, Venue] = {}
    by_name: dict[str, set[str]] = {}
    for index, entry in enumerate(data):
        place = f"{where}, entry {index + 1}"
        if not isinstance(entry, Mapping) or not all(isinstance(entry.get(k), str) and entry.get(k) for k in ("id", "kind", "short", "long")):
            raise ValueError(f"{place}: every venue needs id, kind, short and long")
        try:
            kind = VenueKind(entry["kind"])
        except ValueError:
            raise ValueError(f"{place}: kind {entry['kind']!r} is not one of {', '.join(k.value for k in VenueKind)}") from None
        venue = Venue(entry["id"], kind, entry["short"], entry["long"], _strings(entry, "streams", place), _strings(entry, "dblp", place), _strings(entry, "aliases", place))
        if venue.id in by_id:
            raise ValueError(f"{place}: id {venue.id!r} is used twice")
        for stream in venue.streams:
            if stream.count("/") != 1 or stream in by_stream:
                raise ValueError(f"{place}: stream {stream!r} is malformed or listed twice")
            by_stream[stream] = venue
        venues.append(venue)
        by_id[venue.id] = venue
        for name in venue.names:
            key = name_key(name)
            if key:
                by_name.setdefault(key, set()).add(venue.id)
    # A name people use may belong to two venues ("SIGMOD" for the conference and PACMMOD), but a
    # string DBLP writes for one venue must never name another: a CV copying DBLP's "VLDB" (the
    # conference) for a PVLDB paper has another venue, and the diff must say so.
    written = {name_key(n): v.id for v in venues for n in v.dblp}
    for venue in venues:
        for name in (venue.short, venue.long, *venue.aliases):
            owner = written.get(name_key(name))
            if owner is not None and owner != venue.id:
                raise ValueError(f"{where}: venue {venue.id!r} goes by {name!r}, which DBLP writes for {owner!r}")
    return VenueTable(tuple(venues), by_id, by_stream, {k: frozenset(v) for k, v in by_name.items()})


@lru_cache(maxsize=1)
def venue_table() -> VenueTable:
    """The shipped table (``venues.json``: JSON rather than YAML because the diff reads it on every
    run and the YAML parser took 20-120 ms for it), read once."""
    text = resources.files("profilesync.normalize").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    return table_from_data(json.loads(text).get("venues"))


def dblp_stream(key: str | None) -> str | None:
    """``conf/sigmod/KraskaBCDP18`` -> ``conf/sigmod``; None for keys without a stream."""
    if not key:
        return None
    parts = key.strip().lower().split("/")
    return f"{parts[0]}/{parts[1]}" if len(parts) >= 3 and parts[0] in ("conf", "journals", "series") else None


def venue_of_stream(stream: str | None) -> Venue | None:
    return venue_table().by_stream.get(stream) if stream else None


@lru_cache(maxsize=65536)
def venue_ids(text: str | None) -> frozenset[str]:
    """The table venues a name may mean: the whole name; else an acronym in parentheses
    (``... Data Engineering (ICDE)``, ``(NSDI 23)``); else the patterns of :func:`venue_key`."""
    if not text:
        return frozenset()
    table = venue_table()
    found = table.by_name.get(name_key(text))
    if found:
        return found
    for acronym in _PARENS.findall(text):
        found = table.by_name.get(name_key(acronym))
        if found:
            return found
    # The patterns also match long forms ("... Management of Data"), which reach too far for an
    # identity ("The Journal of Supercomputing" is not SC): trust them only when the text also
    # carries the venue's acronym as a word ("Proc. ACM-SIGMOD Int. Conf. on Management of Data").
    key = venue_key(text)
    venue = table.by_id.get(key) if key else None
    if key and venue is not None and name_key(venue.short) in normalize_text(text).split():
        return frozenset({key})
    return frozenset()


@dataclass(frozen=True)
class VenueIdentity:
    """Which venue a record is in: the table ids it may be (empty when unknown) and the names it
    goes by, in :func:`name_key` form."""

    ids: frozenset[str]
    names: frozenset[str]

    def same_as(self, other: VenueIdentity) -> bool:
        """One venue: a name in common (the CV copied the source's string, or a table name of the
        same venue), or a table venue in common. Unknown venues with different names differ."""
        return bool(self.names & other.names) or bool(self.ids & other.ids)


def venue_identity(names: Iterable[str | None], dblp_key: str | None = None) -> VenueIdentity:
    """The identity of a record's venue from its names and, when it has one, its DBLP key.

    A key whose stream is in the table decides the venue, and the record then goes by every
    name of that venue. An unknown conference stream still contributes its own name (``conf/3dtv`` ->
    ``3dtv``), so a CV writing the stream's acronym agrees with DBLP's string for it.
    """
    return _venue_identity(tuple(names), dblp_stream(dblp_key))


@lru_cache(maxsize=16384)
def _venue_identity(names: tuple[str | None, ...], stream: str | None) -> VenueIdentity:
    # Cached by names and stream (not record key): a long publication list names a few hundred
    # venues thousands of times, and the diff asks again for every pair it compares.
    own = [n for n in names if n]
    keys = {k for k in (name_key(n) for n in own) if k}
    venue = venue_of_stream(stream)
    if venue is not None:
        return VenueIdentity(frozenset({venue.id}), frozenset(keys | {name_key(n) for n in venue.names}))
    ids: set[str] = set()
    for name in own:
        ids |= venue_ids(name)
    if stream and stream.startswith("conf/"):
        # A conference stream is named by its acronym (conf/3dtv); a journal stream's name is an
        # abbreviation that may be a conference's acronym (journals/aamas is the journal).
        keys.add(name_key(stream.split("/")[1]))
    return VenueIdentity(frozenset(ids), frozenset(keys))
