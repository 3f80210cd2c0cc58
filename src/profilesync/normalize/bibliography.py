"""How bibliographies write text: names split into parts, LaTeX escaping, the researcher's own name.

Shared by the exports (BibTeX, CSL-JSON, LaTeX, ...) and the CV formats that are bibliographies
(``cv.formats.bibtex``, ``cv.formats.rendercv``), so it sits below both.

LaTeX escaping is pylatexenc's job (it knows the special characters and thousands of Unicode
characters); name splitting is bibtexparser's (it knows "von" particles and "Family, Given").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from profilesync.normalize.names import same_person_name, strip_dblp_suffix


@dataclass(frozen=True)
class NameParts:
    """A person's name split the way bibliographies need it."""

    given: str
    family: str
    particle: str = ""
    suffix: str = ""

    @property
    def bibtex(self) -> str:
        """``von Family, Jr, Given`` (or ``Family, Given``): the unambiguous BibTeX form."""
        family = f"{self.particle} {self.family}".strip()
        if self.suffix:
            return f"{family}, {self.suffix}, {self.given}".rstrip(", ")
        return f"{family}, {self.given}" if self.given else family


# Generational suffixes, the only ones a bibliography keeps (nameparser also knows degrees, "PhD").
_GENERATIONAL = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "2nd", "3rd"})


def split_name(name: str) -> NameParts:
    """Split a written name ("Zili Zhang", "Zhang, Zili", "Ludwig van Beethoven",
    "Martin Luther King Jr.") into parts.

    bibtexparser knows "von" particles and BibTeX's comma forms but reads the last word of
    "Martin Luther King Jr." as the family name; nameparser knows suffixes. So nameparser peels a
    generational suffix off a name written in reading order, and bibtexparser splits the rest.
    """
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    clean = strip_dblp_suffix(name.replace("*", "").strip())
    clean, suffix = _peel_suffix(clean)
    try:
        parts = parse_single_name_into_parts(clean, strict=False)
    except Exception:  # bibtexparser raises on unbalanced braces; a bare split is better than nothing
        words = clean.split()
        return NameParts(given=" ".join(words[:-1]), family=words[-1] if words else clean, suffix=suffix)
    return NameParts(
        given=" ".join(parts.first),
        family=" ".join(parts.last),
        particle=" ".join(parts.von),
        suffix=suffix or " ".join(parts.jr),
    )


def _peel_suffix(name: str) -> tuple[str, str]:
    """``("Martin Luther King", "Jr.")`` for "Martin Luther King Jr." or "Martin Luther King, Jr.";
    BibTeX's own three-part "King, Jr., Martin Luther" and names without a suffix are left as they are."""
    words = name.replace(",", " ").split()
    if name.count(",") > 1 or "{" in name or not words or words[-1].lower() not in _GENERATIONAL:
        return name, ""  # the common case, decided without parsing the name
    from nameparser import HumanName

    parsed = HumanName(name)
    suffix = parsed.suffix.strip()
    if not suffix or suffix.lower() not in _GENERATIONAL or not parsed.last:
        return name, ""
    rest = name[: name.rfind(suffix)].rstrip(" ,")
    return (rest, suffix) if rest else (name, "")


@lru_cache(maxsize=4)
def _encoder(protect: str):
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    # "keep" leaves characters with no LaTeX macro (CJK, emoji) as they are: XeLaTeX and biber
    # read UTF-8, and a silent "?" would be worse than an unusual character.
    return UnicodeToLatexEncoder(
        non_ascii_only=False,
        replacement_latex_protection=protect,
        unknown_char_policy="keep",
        unknown_char_warning=False,
    )


def latex_escape(text: str, *, for_bibtex: bool = False) -> str:
    """Escape ``& % $ # _ { } ~ ^ \\`` and accented letters for LaTeX.

    For BibTeX every replacement is wrapped in braces (``{\\"u}``), so BibTeX's case changes and
    sorting treat it as one letter.
    """
    from profilesync.normalize.sanitize import clean_text

    # Control characters are invalid input to TeX, and a blank line inside a macro argument is a
    # \par that ends \cventry early: values are cleaned (line breaks become spaces) first.
    encoded = _encoder("braces-all" if for_bibtex else "braces").unicode_to_latex(clean_text(text))
    if for_bibtex and not well_nested(text):
        # BibTeX counts braces without regard to backslashes, so "\{" still opens a group: a value
        # whose braces do not nest ("x }, note = {y") would end the field early or swallow the rest
        # of the file. Its braces are written as macros that contain none.
        encoded = encoded.replace("{\\{}", "{\\textbraceleft}").replace("{\\}}", "{\\textbraceright}")
    return encoded


def well_nested(text: str) -> bool:
    """Every ``{`` closed by a later ``}``, and no ``}`` without its ``{``."""
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def is_self(author: str, names: tuple[str, ...]) -> bool:
    """True when ``author`` is one of the researcher's names (for highlighting)."""
    return any(same_person_name(author, n) for n in names)
