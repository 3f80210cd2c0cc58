"""Person names: DBLP suffixes, order, initials (also glued, Scholar style), particles, transliteration."""

from __future__ import annotations

import pytest

from profilesync.normalize.names import (
    given_compatible,
    name_key,
    parse_name,
    same_person_name,
    split_authors,
    strip_dblp_suffix,
)


@pytest.mark.parametrize(
    ("name", "family", "given"),
    [
        ("Zili Zhang", "zhang", ("zili",)),
        ("Zhang, Zili", "zhang", ("zili",)),
        ("Zili Zhang 0002", "zhang", ("zili",)),  # DBLP homonym number
        ("Z. Zhang", "zhang", ("z",)),
        ("ZL Zhang", "zhang", ("z", "l")),  # Scholar glues initials
        ("jd ullman", "ullman", ("j", "d")),  # ... and the Magellan split lower-cases them
        ("Jeffrey D. Ullman", "ullman", ("jeffrey", "d")),
        ("Bo Li", "li", ("bo",)),  # a two-letter given name with a vowel is a name, not initials
        ("Jan Van den Bussche", "bussche", ("jan",)),  # particles belong to the family name
        ("J Bussche", "bussche", ("j",)),
        ("Hans-Jörg Schek", "schek", ("hans", "jorg")),
        ("SjÃ¶strÃ¶m, Per", "sjostrom", ("per",)),  # Scholar mojibake
        ("Müller, Hans", "muller", ("hans",)),
        ("Hans Mueller", "muller", ("hans",)),  # German transliteration agrees with the umlaut
        ("Mueller H", "muller", ("h",)),  # family-first with trailing initials
        ("Bingyang Wu*", "wu", ("bingyang",)),  # equal-contribution mark
        ("Robert Smith Jr.", "smith", ("robert",)),
        ("Bertram Lud&#228;scher", "ludascher", ("bertram",)),  # ACM entity
    ],
)
def test_parse_name(name, family, given):
    parsed = parse_name(name)
    assert (parsed.family, parsed.given) == (family, given)


def test_name_key_and_initials():
    assert name_key("Zhang, Zili") == ("zhang", "zili")
    assert parse_name("Jeffrey D. Ullman").initials == "jd"
    assert parse_name("ZL Zhang").key == "zhang z"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Zili Zhang", "Zhang, Zili", True),
        ("Zili Zhang", "Z. Zhang", True),
        ("Zili Zhang", "ZL Zhang", True),
        ("Zili Zhang 0002", "Zili Zhang", True),
        ("Zili Zhang", "Zhang Zili", True),  # family name first
        ("Zili Zhang", "Zhen Zhang", False),
        ("Zili Zhang", "Zili Wang", False),
        ("J. D. Ullman", "J. K. Ullman", False),
        ("Jan Van den Bussche", "J. Van den Bussche", True),
        ("", "Zili Zhang", False),
    ],
)
def test_same_person_name(a, b, same):
    assert same_person_name(a, b) is same
    assert same_person_name(b, a) is same


def test_given_compatible_on_compound_given_names():
    assert given_compatible(("zhao", "hui"), ("zhaohui",))
    assert not given_compatible(("xin",), ("xuanzhe",))


def test_strip_dblp_suffix_only_strips_the_number():
    assert strip_dblp_suffix("Xin Jin 0008") == "Xin Jin"
    assert strip_dblp_suffix("Xin Jin") == "Xin Jin"


def test_split_authors_and_null_sentinels():
    assert split_authors("M Rusinkiewicz, W Klas, T Tesch") == ("M Rusinkiewicz", "W Klas", "T Tesch")
    assert split_authors("p triantallou , t papadakis") == ("p triantallou", "t papadakis")
    assert split_authors("A. Smith and B. Jones") == ("A. Smith", "B. Jones")
    # DBLP2.csv writes "?", DBLP1.csv "N/A" for no authors.
    assert split_authors("?") == ()
    assert split_authors("N/A") == ()
    assert split_authors("") == ()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # DBLP writes "Donald C. Wunsch II"; a BibTeX CV read in reading order gives "..., II".
        ("Donald C. Wunsch II", "Donald C. Wunsch, II"),
        ("Martin Luther King Jr.", "Martin Luther King, Jr."),
        ("Donald C. Wunsch II", "Wunsch, II, Donald C."),
    ],
)
def test_a_suffix_after_a_comma_is_not_family_given(a, b):
    assert same_person_name(a, b)
    assert parse_name(b).family == parse_name(a).family
