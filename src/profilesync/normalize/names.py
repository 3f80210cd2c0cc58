"""Person-name normalisation: DBLP suffixes, "Family, Given" order, initials, accents."""

from __future__ import annotations

import re

from profilesync.normalize.text import strip_accents

_DBLP_SUFFIX = re.compile(r"\s+\d{4}$")


def strip_dblp_suffix(name: str) -> str:
    """``Zili Zhang 0002`` -> ``Zili Zhang``: DBLP's homonym number is not part of the name."""
    return _DBLP_SUFFIX.sub("", name.strip())


def name_key(name: str) -> tuple[str, str]:
    """(family, given) in lower case ASCII; handles "Family, Given" and DBLP suffixes."""
    text = strip_accents(strip_dblp_suffix(name)).replace("*", "").replace(".", ". ")
    text = re.sub(r"\s+", " ", text).strip()
    if "," in text:
        family, _, given = text.partition(",")
    else:
        parts = text.split(" ")
        family, given = parts[-1], " ".join(parts[:-1])
    family = re.sub(r"[^a-z\- ]", "", family.lower()).strip()
    given = re.sub(r"[^a-z\- ]", "", given.lower()).strip()
    return family, given


def same_person_name(a: str, b: str) -> bool:
    """True when two written names can be the same person: same family name, compatible given names.

    "Zili Zhang", "Zhang, Zili", "Z. Zhang" and "Zili Zhang 0002" all agree; "Zili Zhang" and
    "Zhen Zhang" do not.
    """
    fa, ga = name_key(a)
    fb, gb = name_key(b)
    if not fa or not fb:
        return False
    if fa != fb:
        # Chinese names are often written family-first ("Zhang Zili"); try the swap.
        return bool(ga and gb) and fa == gb.replace(" ", "") and fb == ga.replace(" ", "")
    if not ga or not gb:
        return True
    ta, tb = ga.replace("-", " ").split(), gb.replace("-", " ").split()
    if ga.replace(" ", "").replace("-", "") == gb.replace(" ", "").replace("-", ""):
        return True
    # Initials: every token must agree on its first letter, and full tokens must be equal.
    if len(ta) != len(tb):
        return ta[0][0] == tb[0][0] and (len(ta[0]) == 1 or len(tb[0]) == 1)
    for x, y in zip(ta, tb):
        if x[0] != y[0]:
            return False
        if len(x) > 1 and len(y) > 1 and x != y:
            return False
    return True
