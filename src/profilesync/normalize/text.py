"""Text normalisation for comparing titles and venues across sources.

Sources disagree on everything that is not a letter: case, punctuation, LaTeX (``{GPU}``,
``\\"o``), HTML entities (ACM's ``&#252;``, Scholar's ``&hellip;``, even split into tokens as
``& hellip ;``), Unicode accents, and text that went through a wrong decoding (Scholar's
``SjÃ¶strÃ¶m`` for ``Sjöström``). The functions here map all of these to one comparison form.
Each is cheap on plain ASCII, because the matcher runs them on whole tables.
"""

from __future__ import annotations

import html
import re
import unicodedata

from unidecode import unidecode

_LATEX_ACCENT = re.compile(r"\\[`'^\"~=.]\s*\{?\s*\\?([A-Za-z])\s*\}?|\\[uvHcdbkr]\s*\{\s*\\?([A-Za-z])\s*\}")
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+\*?\s*")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")
# An HTML entity, also in the tokenised form the Magellan files have ("& hellip ;", "& #39 ;").
_ENTITY = re.compile(r"&\s?(#\s?\d{1,6}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8})\s?;")

# Mojibake: UTF-8 bytes read as cp1252/latin-1. A lead byte (U+00C2..U+00DF, or U+00E0..U+00EF for
# three-byte sequences) followed by continuation bytes, each shown as a cp1252/latin-1 character.
_CONT = "\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
_MOJIBAKE = re.compile(f"[\u00e0-\u00ef][{_CONT}]{{2}}|[\u00c2-\u00df\u00e2-\u00fe][{_CONT}]")
# Scholar lost some of those bytes as literal "?": "â??" was a curly quote or a dash.
_LOST_QUOTE = re.compile(r"\u00e2\s?(?:\?\s?){1,2}[\u00a6\u0153\u009d]?")
_LOST_LETTER = re.compile(r"[\u00c3\u00e3\u00c5\u00e5]\?")


def strip_accents(text: str) -> str:
    """Remove combining accents (NFKD): ``Sjöström`` -> ``Sjostrom``. Other scripts are kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """ASCII transliteration for comparison (``Zhāng`` -> ``Zhang``, Cyrillic ``і`` -> ``i``).

    Returns the text unchanged when it is already ASCII, which is the common, cheap case.
    """
    return text if text.isascii() else unidecode(text)


def _decode_mojibake(match: re.Match[str]) -> str:
    chunk = match.group(0)
    # Lower-cased copies (the Magellan files) turned the lead byte "Ã" into "ã": undo that first.
    lead = chunk[0]
    if "\u00e0" <= lead <= "\u00fe" and len(chunk) == 2:
        lead = lead.upper()
    raw = bytearray()
    for ch in lead + chunk[1:]:
        try:
            raw += ch.encode("cp1252")
        except UnicodeEncodeError:
            try:
                raw += ch.encode("latin-1")
            except UnicodeEncodeError:
                return chunk
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return chunk


_CYRILLIC_IN_LATIN = re.compile(r"[^\W\d_]*[a-zA-Z][^\W\d_]*[\u0400-\u04ff][^\W\d_]*|[^\W\d_]*[\u0400-\u04ff][^\W\d_]*[a-zA-Z][^\W\d_]*")


def _latin1_from_iso8859_5(match: re.Match[str]) -> str:
    out = []
    for ch in match.group(0):
        if "\u0400" <= ch <= "\u04ff":
            try:
                fixed = ch.encode("iso8859_5").decode("latin-1")
            except UnicodeEncodeError:
                fixed = ch
            out.append(fixed if fixed.isalpha() else ch)
        else:
            out.append(ch)
    return "".join(out)


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded as cp1252/latin-1 (``SjÃ¶strÃ¶m`` -> ``Sjöström``).

    Works on lower-cased text too (``sjã¶strã¶m``), which general tools leave alone, and on
    Latin-1 text read as ISO-8859-5 (``жzsu`` -> ``Özsu``, a Cyrillic letter inside a Latin word). Bytes that the
    source already lost as ``?`` (``â??`` for a curly quote) cannot be recovered; they become a space.
    Returns the text unchanged when nothing looks double-encoded.
    """
    if text.isascii():
        return text
    out = _MOJIBAKE.sub(_decode_mojibake, text)
    # Latin-1 bytes read as ISO-8859-5 (the Magellan DBLP-Scholar split: "m жzsu" for "M Özsu",
    # "barbarс" for "Barbará"): a Cyrillic letter inside a Latin word is such a byte.
    out = _CYRILLIC_IN_LATIN.sub(_latin1_from_iso8859_5, out)
    out = _LOST_QUOTE.sub(" ", out)
    return _LOST_LETTER.sub("", out)


def _entity(match: re.Match[str]) -> str:
    before, char, after = match.group(1), html.unescape("&" + match.group(2).replace(" ", "") + ";"), match.group(3)
    if len(char) == 1 and char.isalpha():
        # A letter that a tokeniser cut out of its word: "lud &#228; scher" is Ludäscher and
        # "&#214; zg &#252; r" is Özgür. Spaces on both sides (or a capital opening a word) tell.
        if before.endswith(" ") and after.startswith(" "):
            return before[0] + char + after[-1]
        if not before and char.isupper() and after.startswith(" "):
            return char + after[-1]
    return before + char + after


_ENTITY_IN_WORD = re.compile(r"(\w ?|)&\s?(#\s?\d{1,6}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8})\s?;( ?\w|)")


def unescape_entities(text: str) -> str:
    """HTML entities to characters, including the tokenised ``& hellip ;`` form; an accented letter
    that a tokeniser cut out of its word is put back (``lud &#228; scher`` -> ``ludäscher``)."""
    if "&" not in text:
        return text
    text = _ENTITY_IN_WORD.sub(_entity, text)
    return html.unescape(text)


def strip_latex(text: str) -> str:
    """``\\"{o}`` -> ``o``, ``\\emph{x}`` -> ``x``, braces dropped."""
    if "\\" in text:
        text = _LATEX_ACCENT.sub(lambda m: m.group(1) or m.group(2), text)
        text = _LATEX_CMD.sub("", text)
        text = text.replace("\\", " ")
    return text.replace("{", "").replace("}", "")


def clean_title(text: str | None) -> str:
    """Title as a person would read it: entities unescaped, braces and the trailing full stop gone."""
    if not text:
        return ""
    out = html.unescape(text).replace("{", "").replace("}", "")
    out = _SPACES.sub(" ", out).strip()
    return out[:-1] if out.endswith(".") and not out.endswith("..") else out


def normalize_text(text: str | None) -> str:
    """Comparison key for any free text: entities, LaTeX, mojibake, accents, case and punctuation
    removed; ASCII letters and digits separated by single spaces.
    """
    if not text:
        return ""
    out = unescape_entities(text)
    out = strip_latex(out)
    out = fold(fix_mojibake(out)).lower()
    return _NON_ALNUM.sub(" ", out).strip()


def normalize_title(text: str | None) -> str:
    """Comparison key for a title: see :func:`normalize_text`. Hyphenated words are split
    (``on-demand`` -> ``on demand``), so spelling variants with and without hyphens agree.
    """
    return normalize_text(text)


def compact(text: str) -> str:
    """The normalised text without spaces: ``r tree`` and ``rtree`` agree."""
    return text.replace(" ", "")
