"""Venue names in comparison form: acronyms and their long forms map to one key.

``NSDI``, ``Proc. 20th USENIX Symposium on Networked Systems Design and Implementation (NSDI '23)``
and ``nsdi23`` are one venue; so are ``SIGMOD Conference``, ``International Conference on
Management of Data`` and Scholar's ``Proc. ACM-SIGMOD Int. Conf. on Management of Data``. The table
is small and explicit on purpose: a wrong alias would make two different venues agree.
"""

from __future__ import annotations

import re
from functools import lru_cache

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
    """True for arXiv/CoRR (DBLP files arXiv preprints under the journal "CoRR")."""
    return venue_key(text) == "corr"
