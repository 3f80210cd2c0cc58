"""Person-name normalisation: DBLP suffixes, "Family, Given" order, initials, particles, accents.

The same author is written ``Zili Zhang``, ``Zhang, Zili``, ``Z. Zhang``, ``ZL Zhang`` (Google
Scholar glues initials), ``Zili Zhang 0002`` (DBLP's homonym number), ``Jan Van den Bussche`` and
``J Bussche``, ``Sjöström`` and ``SjÃ¶strÃ¶m``. :func:`parse_name` maps each to a
:class:`PersonName` whose ``family`` key and ``initials`` are what comparisons use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from profilesync.normalize.text import fix_mojibake, fold, strip_accents, strip_latex, unescape_entities

__all__ = [
    "PersonName",
    "name_key",
    "parse_name",
    "same_person_name",
    "split_authors",
    "strip_accents",
    "strip_dblp_suffix",
]

_DBLP_SUFFIX = re.compile(r"\s+\d{4}$")
_NOT_LETTER = re.compile(r"[^a-z\- ]+")
_SPACES = re.compile(r"\s+")
# Lower-case name particles that belong to the family name ("van den Bussche", "de la Cruz").
PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le", "ten", "ter", "op", "zu", "al", "el", "bin", "ibn", "st"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# German transliterations: "Müller" is also written "Mueller"; both fold to "muller".
_UMLAUT_PAIRS = re.compile(r"(?<=[aou])e")


@dataclass(frozen=True)
class PersonName:
    """A written name in comparison form.

    ``family`` is folded to lower-case ASCII without particles or hyphens (``vandenbussche`` ->
    ``bussche``); ``given`` holds the given-name tokens (full words or single initials);
    ``initials`` their first letters. ``raw`` is the name as written.
    """

    raw: str
    family: str
    given: tuple[str, ...]

    @property
    def initials(self) -> str:
        return "".join(g[0] for g in self.given if g)

    @property
    def first_initial(self) -> str:
        return self.given[0][0] if self.given and self.given[0] else ""

    @property
    def key(self) -> str:
        """``family`` plus the first initial: the usual cheap identity key (``zhang z``)."""
        return f"{self.family} {self.first_initial}".strip()


def strip_dblp_suffix(name: str) -> str:
    """``Zili Zhang 0002`` -> ``Zili Zhang``: DBLP's homonym number is not part of the name."""
    return _DBLP_SUFFIX.sub("", name.strip())


def _clean(name: str) -> str:
    text = fold(fix_mojibake(strip_latex(unescape_entities(strip_dblp_suffix(name)))))
    return text.replace("*", "").replace("\u2020", "").lower()


def _family_key(tokens: list[str]) -> str:
    kept = [t for t in tokens if t not in PARTICLES] or tokens
    key = "".join(kept).replace("-", "")
    return _UMLAUT_PAIRS.sub("", key) if len(key) > 3 else key


def _given_tokens(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for token in text.replace("-", " ").split():
        if not token:
            continue
        if token in _SUFFIXES:
            continue
        out.append(token)
    return tuple(out)


@lru_cache(maxsize=65536)
def parse_name(name: str) -> PersonName:
    """Split a written name into family key and given-name tokens.

    ``Family, Given`` is honoured; otherwise the last word (with any particles before it) is the
    family name. Google Scholar's glued initials (``JD Ullman``) become separate initials when
    the given part is two or three consonant-heavy letters written in capitals or has no vowel.
    """
    original = name.strip()
    glued_caps = _glued_initials_in(original)
    text = _clean(original).replace(".", ". ")
    text = _SPACES.sub(" ", text).strip()
    head, comma, tail = text.rpartition(",")
    if comma and set(_NOT_LETTER.sub(" ", tail).split()) <= _SUFFIXES and tail.strip():
        text = head.strip()  # "Donald C. Wunsch, II": a suffix after the comma, not "Family, Given"
    if "," in text:
        family_text, _, given_text = text.partition(",")
        family_tokens = _NOT_LETTER.sub(" ", family_text).split()
        given = _given_tokens(_NOT_LETTER.sub(" ", given_text))
    else:
        tokens = [t for t in _NOT_LETTER.sub(" ", text).split() if t]
        while len(tokens) > 1 and tokens[-1] in _SUFFIXES:
            tokens.pop()
        if not tokens:
            return PersonName(original, "", ())
        cut = len(tokens) - 1
        while cut > 1 and tokens[cut - 1] in PARTICLES:
            cut -= 1
        if _family_first_with_initials(original, tokens):
            # "Mueller H" / "Zhang ZL" (PubMed style): the trailing capitals are initials.
            family_tokens, given = tokens[:-1], tuple(tokens[-1])
        else:
            family_tokens = tokens[cut:]
            given = _given_tokens(" ".join(tokens[:cut]))
    if given and len(given) == 1 and _is_glued_initials(given[0], glued_caps):
        given = tuple(given[0])
    return PersonName(original, _family_key(family_tokens), given)


def _family_first_with_initials(original: str, tokens: list[str]) -> bool:
    words = strip_dblp_suffix(original).replace(".", " ").split()
    return len(tokens) == 2 and len(words) == 2 and len(words[0]) > 3 and words[-1].isalpha() and words[-1].isupper() and len(words[-1]) <= 2 and not words[0].isupper()


def _glued_initials_in(name: str) -> bool:
    head = name.split(",")[-1].strip().split(" ")[0] if "," in name else name.strip().split(" ")[0]
    return 2 <= len(head) <= 3 and head.isalpha() and head.isupper()


def _is_glued_initials(token: str, caps: bool) -> bool:
    if len(token) < 2 or len(token) > 3:
        return False
    if caps:
        return True
    # Lower-cased Scholar names ("jd ullman"): no vowel means it cannot be a given name.
    return not any(v in token for v in "aeiouy")


def name_key(name: str) -> tuple[str, str]:
    """(family, given) in lower case ASCII; handles "Family, Given" and DBLP suffixes."""
    parsed = parse_name(name)
    return parsed.family, " ".join(parsed.given)


def given_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Given names that can belong to one person: equal, or agreeing on initials where one side
    only has initials. ``("zili",)`` vs ``("z",)`` agree; ``("zili",)`` vs ``("zhen",)`` do not.
    """
    if not a or not b:
        return True
    if "".join(a) == "".join(b):
        return True
    if a[0][0] != b[0][0]:
        return False
    if len(a[0]) > 1 and len(b[0]) > 1 and a[0] != b[0]:
        # Full first names that differ: "Zili" vs "Zhen". A hyphenated/compound name split
        # differently ("zhao hui" vs "zhaohui") is handled by the join test above.
        return False
    for x, y in zip(a[1:], b[1:], strict=False):
        if x[0] != y[0]:
            return False
    return True


def same_person_name(a: str, b: str) -> bool:
    """True when two written names can be the same person: same family name, compatible given names.

    "Zili Zhang", "Zhang, Zili", "Z. Zhang", "ZL Zhang" and "Zili Zhang 0002" all agree; "Zili
    Zhang" and "Zhen Zhang" do not. A family-first writing ("Zhang Zili") is accepted too.
    """
    pa, pb = parse_name(a), parse_name(b)
    if not pa.family or not pb.family:
        return False
    if pa.family == pb.family:
        return given_compatible(pa.given, pb.given)
    # Chinese names are often written family-first ("Zhang Zili"); try the swap.
    ga, gb = "".join(pa.given), "".join(pb.given)
    return bool(ga and gb) and pa.family == gb and pb.family == ga


def split_authors(text: str | None) -> tuple[str, ...]:
    """An author list written as one string (``A Smith, B Jones`` or ``A. Smith and B. Jones``) as names.

    Returns () for empty values and the null sentinels the benchmark tables use (``?``, ``N/A``).
    """
    if not text:
        return ()
    value = text.strip()
    if value in {"?", "N/A", "n/a", "nan"}:
        return ()
    parts = re.split(r"\s*,\s*|\s+and\s+|\s*;\s*", value)
    return tuple(p for p in (x.strip() for x in parts) if p and p not in {"?", "..."})
