"""Seeded drift generator: a DBLP person page -> (the page as served, a CV, the true change list).

The CV is built from the page as the real connector parses it (``parse_person_xml``), with DBLP's
own strings: titles, author names (without DBLP's homonym number), venue strings such as
"SIGMOD Conference", pages, DOIs and arXiv ids. Except for the planted drift it is faithful to
DBLP, so the correct report is exactly the planted changes (see README.md, "What truth means").

Each plant goes on its own work, and only on works whose truth is unambiguous: a work that has no
similar-titled sibling on the page ("singleton"), except where the plant is about siblings
(``new_version`` on a CoRR preprint + published pair, ``missing_in_cv`` of one member of a
conference/journal-extension or Part I/II cluster).
"""

from __future__ import annotations

import enum
import random
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from rapidfuzz import fuzz

from profilesync.connectors.dblp_xml import parse_person_xml
from profilesync.model import Work, WorkType
from profilesync.normalize.names import same_person_name, strip_dblp_suffix
from profilesync.normalize.text import normalize_title

try:  # run as a script (benchmarks/drift on sys.path) or imported as a package module
    from corpus import Page
except ImportError:  # pragma: no cover
    from .corpus import Page


class Kind(str, enum.Enum):
    MISSING_IN_CV = "missing_in_cv"
    MISSING_IN_SOURCE = "missing_in_source"
    FIELD_DIFFERS = "field_differs"
    NEW_VERSION = "new_version"
    DUPLICATE_IN_SOURCE = "duplicate_in_source"
    FOREIGN_WORK = "foreign_work"


FIELDS = ("title", "year", "venue", "authors", "pages", "doi")
PUBLISHED = frozenset({WorkType.CONFERENCE, WorkType.JOURNAL, WorkType.CHAPTER, WorkType.BOOK})


@dataclass(frozen=True)
class Truth:
    """One change the correct report contains.

    ``entry`` is the index of the CV entry it is about (None for source-only works);
    ``records`` the DBLP keys that identify it in the report (any one of them counts);
    ``value`` the correct proposed value (field_differs) where one exists.
    """

    kind: Kind
    entry: int | None
    records: tuple[str, ...] = ()
    field: str | None = None
    value: Any = None
    note: str = ""


@dataclass
class Entry:
    """One CV publication: the CV-schema fields, its DBLP key (for the .bib variant's key), and
    the DBLP records whose values it may legitimately receive (empty for a work DBLP lacks)."""

    fields: dict[str, Any]
    yaml_key: str
    dblp_key: str | None
    records: frozenset[str]

    def key(self, variant: str) -> str:
        if variant == "bib" and self.dblp_key:
            return "DBLP:" + self.dblp_key
        return self.yaml_key


@dataclass
class Case:
    page_id: str
    pid: str
    name: str  # the person's display name (DBLP's homonym number stripped)
    xml: bytes  # the page as served, plants included
    entries: list[Entry]
    truth: list[Truth]
    # DBLP key -> the record's values as parsed (title, year, venue, doi, ...): for wrong rewrites
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    # DBLP keys of CoRR copies of a work the CV lists only in its published form: covered, no change
    covered: set[str] = field(default_factory=set)
    # DBLP key -> cluster kind ("pair", "extension", "complex"), for classifying false positives
    cluster_of: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)

    def cv_key(self, entry: int | None, variant: str) -> str | None:
        return None if entry is None else self.entries[entry].key(variant)


# --- clusters of similar titles ----------------------------------------------------------------


def _similar(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if fuzz.ratio(a, b) >= 85:
        return True
    return len(a.split()) >= 4 and len(b.split()) >= 4 and fuzz.token_set_ratio(a, b) >= 95


def clusters(works: list[Work]) -> list[list[int]]:
    """Indices of works grouped by similar titles (union-find): versions, extensions, parts."""
    parent = list(range(len(works)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    titles = [normalize_title(w.title) for w in works]
    for i in range(len(works)):
        for j in range(i + 1, len(works)):
            if _similar(titles[i], titles[j]):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(works)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _families(work: Work) -> set[str]:
    return {_ascii(strip_dblp_suffix(a.name)).split()[-1].lower() for a in work.authors if a.name.strip()}


def loosely_related(a: Work, b: Work) -> bool:
    """A preprint and a published record whose titles share many words and mostly the same
    authors: possibly one work reworded at publication, so neither is a safe place for a plant."""
    if is_preprint(a) == is_preprint(b):
        return False  # only a preprint and a published record can be one work (DESIGN §5)
    if a.year and b.year and abs(a.year - b.year) > 3:
        return False
    ta, tb = normalize_title(a.title), normalize_title(b.title)
    # 60: on the corpus this catches titles reworded at publication ("DLOGTIME Proof Systems" /
    # "Small Depth Proof Systems"); below it, mostly unrelated papers of one group.
    if not ta or not tb or fuzz.token_set_ratio(ta, tb) < 60:
        return False
    fa, fb = _families(a), _families(b)
    if not fa or not fb:
        return True
    return len(fa & fb) / min(len(fa), len(fb)) >= 0.6


def entangled(works: list[Work], groups: list[list[int]]) -> set[int]:
    """Members of clusters that are loosely related to a record outside their own cluster."""
    cluster_id = {i: n for n, members in enumerate(groups) for i in members}
    out: set[int] = set()
    for i in range(len(works)):
        for j in range(i + 1, len(works)):
            if cluster_id[i] != cluster_id[j] and loosely_related(works[i], works[j]):
                out.update(groups[cluster_id[i]])
                out.update(groups[cluster_id[j]])
    return out


def is_preprint(work: Work) -> bool:
    return work.type is WorkType.PREPRINT


def cluster_kind(works: list[Work], members: list[int]) -> str:
    if len(members) == 1:
        return "singleton"
    pre = [i for i in members if is_preprint(works[i])]
    if len(pre) == 1 and len(members) == 2:
        return "pair"
    if not pre:
        return "extension"  # conference paper + journal extension, Part I + Part II, ...
    return "complex"


# --- CV entries --------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def researcher_key(work: Work, taken: set[str]) -> str:
    """A key as a researcher writes it: first author's family name, year, first title word."""
    first = strip_dblp_suffix(work.authors[0].name) if work.authors else "anon"
    family = re.sub(r"[^a-z]", "", _ascii(first.split()[-1]).lower()) or "anon"
    words = [
        w
        for w in re.findall(r"[a-z0-9]+", _ascii(work.title).lower())
        if w not in {"a", "an", "the", "on", "of", "for", "in", "to", "and"}
    ]
    base = f"{family}{work.year or ''}{words[0] if words else 'work'}"
    key, n = base, 0
    while key in taken:
        n += 1
        key = f"{base}{chr(ord('a') + n - 1) if n <= 26 else n}"
    taken.add(key)
    return key


def cv_fields(work: Work) -> dict[str, Any]:
    """The CV entry a researcher copying DBLP would keep for this record (CV schema fields)."""
    out: dict[str, Any] = {
        "title": work.title,
        "authors": [strip_dblp_suffix(a.name) for a in work.authors],
        "venue": work.venue,
        "year": work.year,
        "type": work.type.value,
        "status": work.status.value,
    }
    if work.pages:
        out["pages"] = work.pages
    ids = {}
    if work.ids.doi:
        ids["doi"] = work.ids.doi
    if work.ids.arxiv:
        ids["arxiv"] = work.ids.arxiv
    out["ids"] = ids
    return out


def record_values(work: Work) -> dict[str, Any]:
    return {
        "title": work.title,
        "year": work.year,
        "venue": work.venue,
        "venue_acronym": work.venue_acronym,
        "doi": work.ids.doi,
        "pages": work.pages,
        "authors": [strip_dblp_suffix(a.name) for a in work.authors],
    }


# --- plants on one CV entry --------------------------------------------------------------------


def _typo(title: str, rng: random.Random) -> str | None:
    words = [(m.start(), m.group()) for m in re.finditer(r"[A-Za-z]{6,}", title)]
    if not words:
        return None
    start, word = rng.choice(words)
    i = rng.randrange(1, len(word) - 2)
    if word[i] == word[i + 1]:
        i = 1 if word[1] != word[2] else len(word) - 3
    changed = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if changed == word:
        return None
    return title[:start] + changed + title[start + len(word) :]


def _reword(title: str, rng: random.Random) -> str | None:
    words = title.split()
    # Drop one inner word of 4+ letters: the researcher shortened the title.
    inner = [i for i in range(1, len(words) - 1) if len(re.sub(r"\W", "", words[i])) >= 4]
    if len(words) < 5 or not inner:
        return None
    i = rng.choice(inner)
    return " ".join(words[:i] + words[i + 1 :])


def _shift_pages(pages: str) -> str | None:
    numbers = list(re.finditer(r"\d+", pages))
    if len(numbers) < 2:
        return None
    last = numbers[-1]
    return pages[: last.start()] + str(int(last.group()) + 1) + pages[last.end() :]


# --- the generator -------------------------------------------------------------------------------


def generate(page: Page, seed: int, donors: list[Page] | None = None) -> Case:
    """Build the drift case of one page; the same page, seed and donors give the same case."""
    rng = random.Random(f"{seed}:{page.page_id}")
    parsed = parse_person_xml(page.xml, f"pages/{page.page_id}")
    works = list(parsed.works)
    name = strip_dblp_suffix(page.name)
    person_names = (name, page.name, *parsed.person.aliases)
    m = len(works)
    case = Case(page.page_id, page.pid, name, page.xml, [], [])
    case.values = {w.ids.dblp: record_values(w) for w in works if w.ids.dblp}

    groups = clusters(works)
    tangled = entangled(works, groups)
    kind_of: dict[int, str] = {}
    for members in groups:
        # A cluster loosely tied to another (a title reworded at publication?) is kept whole in
        # the CV and never planted on: its truth would depend on how the works are read.
        kind = "complex" if tangled.intersection(members) else cluster_kind(works, members)
        for i in members:
            kind_of[i] = kind
            if kind != "singleton":
                case.cluster_of[works[i].ids.dblp or ""] = (
                    kind,
                    tuple(works[j].ids.dblp or "" for j in members),
                )

    def count(share: float, at_least: int = 1) -> int:
        return max(at_least, round(m * share))

    # 1. Which records the CV leaves out (missing_in_cv) and the state of each version pair.
    singletons = [i for i in range(m) if kind_of[i] == "singleton"]
    rng.shuffle(singletons)
    omitted: set[int] = set()
    missing_truth: list[Truth] = []
    # At most a third of the singletons: the field plants need kept singletons too.
    for i in singletons[: min(count(0.12), max(1, len(singletons) // 3))]:
        omitted.add(i)
        missing_truth.append(
            Truth(Kind.MISSING_IN_CV, None, (works[i].ids.dblp or "",), note="left out of the CV")
        )
    for members in groups:
        if kind_of[members[0]] == "extension" and rng.random() < 0.5:
            # The later (extension / next part) member is the one the CV forgot.
            i = max(
                members,
                key=lambda j: (
                    works[j].year or 0,
                    works[j].type is WorkType.JOURNAL,
                    works[j].ids.dblp or "",
                ),
            )
            omitted.add(i)
            missing_truth.append(
                Truth(
                    Kind.MISSING_IN_CV,
                    None,
                    (works[i].ids.dblp or "",),
                    note="sibling of a CV work (extension or other part)",
                )
            )

    pairs = [members for members in groups if kind_of[members[0]] == "pair"]
    rng.shuffle(pairs)
    new_version_pairs = pairs[: min(len(pairs) // 2, count(0.02))]
    pair_state: dict[int, str] = {}
    for members in pairs:
        pre = next(i for i in members if is_preprint(works[i]))
        pub = next(i for i in members if not is_preprint(works[i]))
        state = "preprint_only" if members in new_version_pairs else rng.choice(["both", "published_only"])
        pair_state[pre] = pair_state[pub] = state
        if state == "preprint_only":
            omitted.add(pub)
        elif state == "published_only":
            omitted.add(pre)
            case.covered.add(works[pre].ids.dblp or "")

    # 2. The faithful CV, in page order.
    taken: set[str] = set()
    entry_of: dict[int, int] = {}
    for i, work in enumerate(works):
        if i in omitted:
            continue
        entry_of[i] = len(case.entries)
        records = {work.ids.dblp or ""}
        case.entries.append(
            Entry(cv_fields(work), researcher_key(work, taken), work.ids.dblp, frozenset(records))
        )
    case.truth.extend(missing_truth)
    for members in new_version_pairs:
        pre = next(i for i in members if is_preprint(works[i]))
        pub = next(i for i in members if not is_preprint(works[i]))
        case.truth.append(
            Truth(
                Kind.NEW_VERSION,
                entry_of[pre],
                (works[pub].ids.dblp or "",),
                value=works[pub].ids.doi,
                note="CV lists only the preprint",
            )
        )

    # 3. Field drift, one plant per work, on kept published singletons.
    free = [i for i in singletons if i not in omitted and works[i].type in PUBLISHED]
    rng.shuffle(free)
    used: set[int] = set()
    venues = sorted(
        {
            (w.venue, (w.ids.dblp or "").split("/")[1] if "/" in (w.ids.dblp or "") else "")
            for w in works
            if w.venue
        }
    )

    def take(ok) -> int | None:
        for i in free:
            if i not in used and ok(works[i]):
                used.add(i)
                return i
        return None

    per_field = count(0.025)
    for name_ in FIELDS:
        for _ in range(per_field):
            if name_ == "title":
                i = take(lambda w: _typo(w.title, rng) is not None or _reword(w.title, rng) is not None)
            elif name_ == "year":
                i = take(lambda w: w.year is not None)
            elif name_ == "venue":
                i = take(lambda w: bool(w.venue) and "/" in (w.ids.dblp or ""))
            elif name_ == "authors":
                i = take(lambda w: len(w.authors) >= 1)
            elif name_ == "pages":
                i = take(lambda w: bool(w.pages) and _shift_pages(w.pages) is not None)
            else:
                i = take(lambda w: bool(w.ids.doi))
            if i is None:
                break
            work, entry = works[i], case.entries[entry_of[i]]
            f = entry.fields
            if name_ == "title":
                changed = (
                    (_reword(work.title, rng) if rng.random() < 0.5 else None)
                    or _typo(work.title, rng)
                    or _reword(work.title, rng)
                )
                f["title"], truth_value = changed, work.title
            elif name_ == "year":
                f["year"] = work.year + rng.choice((-1, 1))
                truth_value = work.year
            elif name_ == "venue":
                stream = (work.ids.dblp or "").split("/")[1]
                others = [v for v, s in venues if s != stream and v != work.venue]
                f["venue"] = (
                    rng.choice(others)
                    if others
                    else ("ICDE" if work.type is WorkType.CONFERENCE else "Inf. Syst.")
                )
                truth_value = work.venue
            elif name_ == "authors":
                names = list(f["authors"])
                mine = [
                    k
                    for k, a in enumerate(work.authors)
                    if a.pid == page.pid
                    or any(same_person_name(strip_dblp_suffix(a.name), p) for p in person_names)
                ]
                droppable = [k for k in range(len(names)) if k not in mine]
                if len(names) >= 3 and droppable:
                    del names[rng.choice(droppable)]
                else:
                    names.insert(len(names), "Jordan Q. Whitfield")  # a coauthor DBLP does not list
                f["authors"], truth_value = names, list(case.values[work.ids.dblp or ""]["authors"])
            elif name_ == "pages":
                f["pages"], truth_value = _shift_pages(work.pages or ""), work.pages
            else:
                f["ids"] = {k: v for k, v in f["ids"].items() if k != "doi"}
                truth_value = work.ids.doi
            case.truth.append(
                Truth(Kind.FIELD_DIFFERS, entry_of[i], (work.ids.dblp or "",), field=name_, value=truth_value)
            )

    # 4. Source-side plants: a duplicate record, a namesake's record; a CV work DBLP lacks.
    tree = etree.fromstring(
        page.xml, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    )
    by_key = {}
    for r in tree.iterfind("r"):
        child = next(iter(r), None)
        if child is not None and child.get("key"):
            by_key[child.get("key")] = r
    keys = set(by_key)
    for _ in range(count(0.01)):
        i = take(lambda w: bool(w.ids.doi) and (w.ids.dblp or "") in by_key)
        if i is None:
            break
        key = works[i].ids.dblp or ""
        copy = etree.fromstring(etree.tostring(by_key[key]))
        dup_key = next(key + s for s in "abcdefghijklmnopqrstuvwxyz" if key + s not in keys)
        keys.add(dup_key)
        next(iter(copy)).set("key", dup_key)
        by_key[key].addnext(copy)
        entry = case.entries[entry_of[i]]
        entry.records = frozenset({key, dup_key})
        case.values[dup_key] = dict(case.values[key])
        case.truth.append(
            Truth(
                Kind.DUPLICATE_IN_SOURCE,
                entry_of[i],
                (key, dup_key),
                note="the same record listed twice, same DOI",
            )
        )

    donor_works = []
    for donor in donors or []:
        if donor.page_id == page.page_id:
            continue
        dparsed = parse_person_xml(donor.xml, donor.page_id)
        dtree = etree.fromstring(
            donor.xml, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        )
        elements = {
            next(iter(r)).get("key"): r for r in dtree.iterfind("r") if next(iter(r), None) is not None
        }
        for w in dparsed.works:
            if (
                w.ids.dblp in elements
                and w.ids.dblp not in keys
                and w.authors
                and not any(
                    same_person_name(strip_dblp_suffix(a.name), p) for a in w.authors for p in person_names
                )
            ):
                donor_works.append((w, elements[w.ids.dblp]))
    own_titles = [normalize_title(w.title) for w in works]
    donor_works = [
        (w, el) for w, el in donor_works if not any(_similar(normalize_title(w.title), t) for t in own_titles)
    ]
    rng.shuffle(donor_works)
    n_foreign = count(0.01) if donor_works else 0
    for w, element in donor_works[:n_foreign]:
        tree.append(etree.fromstring(etree.tostring(element)))
        keys.add(w.ids.dblp or "")
        case.values[w.ids.dblp or ""] = record_values(w)
        case.truth.append(
            Truth(Kind.FOREIGN_WORK, None, (w.ids.dblp or "",), note="a namesake's record added to the page")
        )
    for w, _ in donor_works[n_foreign : n_foreign + count(0.01)]:
        fields_ = cv_fields(w)
        authors = list(fields_["authors"])
        authors.insert(min(1, len(authors)), name)
        fields_["authors"] = authors
        fields_["ids"] = {}
        case.truth.append(
            Truth(Kind.MISSING_IN_SOURCE, len(case.entries), (), note="a CV work DBLP does not list")
        )
        case.entries.append(Entry(fields_, researcher_key(w, taken), None, frozenset()))

    case.xml = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    case.stats = {
        "entangled": len(tangled),
        "records": m,
        "cv_entries": len(case.entries),
        "kept_from_page": sum(1 for e in case.entries if e.dblp_key),
        "pairs": len(pairs),
        "covered_preprints": len(case.covered),
    }
    return case
