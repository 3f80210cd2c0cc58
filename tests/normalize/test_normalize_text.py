"""Text normalisation on real hard cases (Scholar mojibake, ACM entities, Magellan tokenisation)."""

from __future__ import annotations

import pytest

from profilesync.normalize.text import (
    clean_title,
    fix_mojibake,
    fold,
    normalize_text,
    normalize_title,
    strip_latex,
    unescape_entities,
)


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("SjÃ¶strÃ¶m", "Sjöström"),  # Scholar.csv double encoding (README quirks)
        ("sjã¶strã¶m", "sjöström"),  # the same, lower-cased by the Magellan split
        ("GÃ¼nther", "Günther"),
        ("it â€™s", "it ’s"),  # three-byte sequence (curly quote)
        ("Sjöström", "Sjöström"),  # correct text is left alone
        ("plain ascii", "plain ascii"),
    ],
)
def test_fix_mojibake(raw, fixed):
    assert fix_mojibake(raw) == fixed


def test_fix_mojibake_does_not_guess_a_lost_byte():
    # "à" is C3 A0; the A0 (no-break space) became a plain space in Scholar: left as it is.
    assert fix_mojibake("DÃ©jÃ  vu") == "DéjÃ  vu"


def test_fix_mojibake_drops_bytes_scholar_lost_as_question_marks():
    # Scholar lost some bytes as literal "?": "editorsâ ?? notes", "imieliã?nski" (Imieliński).
    assert fix_mojibake("editorsâ ?? notes") == "editors notes"
    assert fix_mojibake("t imieliã?nski") == "t imielinski"


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("Bertram Lud&#228;scher", "Bertram Ludäscher"),  # ACM.csv
        ("bertram lud &#228; scher", "bertram ludäscher"),  # the Magellan split cut the letter out of the word
        ("lud & #228 ; scher", "ludäscher"),  # ... and the entity itself
        ("&#214; zg &#252; r", "Özgür"),
        ("caf&eacute; x", "café x"),
        ("proceedings of the 2002 acm sigmod international conference & hellip ; ,", "proceedings of the 2002 acm sigmod international conference … ,"),
        ("The VLDB Journal &mdash; The International Journal", "The VLDB Journal — The International Journal"),
        ("no entity & here", "no entity & here"),
    ],
)
def test_unescape_entities(raw, plain):
    assert unescape_entities(raw) == plain


def test_strip_latex_keeps_letters_of_accents_and_arguments():
    assert strip_latex(r"Sj\"{o}str\"om and \emph{GPU} \c{c}a") == "Sjostrom and GPU ca"
    assert strip_latex("{FastServe}: {Iteration-Level}") == "FastServe: Iteration-Level"


def test_fold_transliterates_only_non_ascii():
    assert fold("Zhāng") == "Zhang"
    assert fold("m bіhlen") == "m bihlen"  # Cyrillic і in the Magellan DBLP-Scholar split
    text = "already ascii"
    assert fold(text) is text


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Case, punctuation, hyphens, LaTeX braces and Unicode all disappear.
        ("{FastServe}: Iteration-Level Preemptive Scheduling", "fastserve iteration level preemptive scheduling"),
        ("On-Demand Data Elevation", "on demand data elevation"),
        ("SjÃ¶strÃ¶m&#39;s R-Trees", "sjostrom s r trees"),
        ("editor 's notes", "editor s notes"),
    ],
)
def test_normalize_title(a, b):
    assert normalize_title(a) == b


def test_normalize_text_empty_values():
    assert normalize_text(None) == ""
    assert normalize_text("") == ""
    assert normalize_title("  ") == ""


def test_clean_title_is_readable():
    assert clean_title("{Ditto}: Efficient Serverless Analytics with Elastic Parallelism.") == "Ditto: Efficient Serverless Analytics with Elastic Parallelism"
    assert clean_title("Wait...") == "Wait..."
