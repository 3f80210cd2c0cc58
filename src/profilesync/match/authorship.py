"""Is the researcher an author of this work? The namesake test.

Evidence, strongest first:

1. identifiers: an author carrying the researcher's ORCID iD or DBLP pid is the researcher; an
   author with the researcher's name but *another* ORCID iD, pid or DBLP homonym number
   (``Zili Zhang 0003``) is someone else;
2. the name: none of the authors has the researcher's name or an alias -> not theirs;
3. coauthors: a name match on a work that shares a coauthor with the researcher's known
   coauthors is theirs;
4. topics: for a work whose authors are all strangers, the title's subject decides, but only
   when the work has few authors: a paper with several authors none of whom ever worked with the
   researcher is a namesake's even when its subject is close (the NLP "Zili Zhang" writes about
   language models too).

Every verdict says why in ``reason``, for the report.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from profilesync.match.features import TITLE_STOPWORDS
from profilesync.model import Author, Person, Work
from profilesync.normalize.identifiers import normalize_orcid
from profilesync.normalize.names import PersonName, parse_name, same_person_name
from profilesync.normalize.text import normalize_text

_DBLP_NUMBER = re.compile(r"\s(\d{4})$")
# Words that name no particular subject: they cannot show that two works share a topic.
_VAGUE = frozenset(
    "efficient fast scalable large learning data system systems model models based approach analysis study "
    "towards via new novel using method methods framework performance design optimizing optimization "
    "improving understanding generalization evaluation real world benchmark".split()
)
# Authors beyond the researcher above which strangers alone mark a namesake, topic or not.
MAX_STRANGERS_FOR_TOPIC = 2


@dataclass(frozen=True)
class Authorship:
    """The verdict: ``is_researcher``, a one-line ``reason`` and a ``confidence`` in [0, 1]."""

    is_researcher: bool
    reason: str
    confidence: float


def _dblp_number(name: str) -> str | None:
    match = _DBLP_NUMBER.search(name.strip())
    return match.group(1) if match else None


def _same_name(author: Author, names: Iterable[str]) -> bool:
    return any(same_person_name(author.name, n) for n in names)


def _matches_known(author: PersonName, known_by_family: Mapping[str, Sequence[PersonName]]) -> bool:
    # By family name first: a senior researcher has thousands of coauthors, and every unpaired
    # work of every source is judged against them.
    for k in known_by_family.get(author.family, ()):
        if not author.given or not k.given:
            continue
        if author.given[0][0] == k.given[0][0] and (len(author.given[0]) == 1 or len(k.given[0]) == 1 or author.given[0] == k.given[0]):
            return True
    return False


def _topic_words(texts: Collection[str]) -> set[str]:
    words: set[str] = set()
    for text in texts:
        for token in normalize_text(text).split():
            if len(token) >= 3 and token not in TITLE_STOPWORDS and token not in _VAGUE:
                words.add(token[:6])
    return words


def researcher_authorship(work: Work, person: Person, *, coauthors: Collection[str] = (), topics: Collection[str] = ()) -> Authorship:
    """Decide whether ``person`` is an author of ``work``.

    ``coauthors``: names of people the researcher has published with (from the CV and DBLP);
    ``topics``: words or titles describing the researcher's subjects (for example the CV's titles).
    Returns an :class:`Authorship`; never raises. To judge many works, build one
    :class:`AuthorshipJudge` and call it: the coauthors and topics are then parsed once.
    """
    return AuthorshipJudge.for_person(person, coauthors=coauthors, topics=topics)(work)


@dataclass(frozen=True)
class AuthorshipJudge:
    """:func:`researcher_authorship` with everything that depends only on the researcher (their
    names and identifiers, the parsed coauthors, the topic words) computed once: a diff judges
    every unpaired work of every source against the same researcher."""

    person: Person
    orcid: str | None
    own_numbers: frozenset[str]
    known: tuple[PersonName, ...]
    topic_words: frozenset[str]
    known_by_family: Mapping[str, tuple[PersonName, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_family: dict[str, list[PersonName]] = {}
        for k in self.known:
            by_family.setdefault(k.family, []).append(k)
        object.__setattr__(self, "known_by_family", {family: tuple(group) for family, group in by_family.items()})

    @classmethod
    def for_person(cls, person: Person, *, coauthors: Collection[str] = (), topics: Collection[str] = ()) -> AuthorshipJudge:
        names = person.all_names
        known = [parse_name(c) for c in coauthors if not any(same_person_name(c, n) for n in names)]
        return cls(
            person=person,
            orcid=normalize_orcid(person.ids.orcid),
            own_numbers=frozenset(n for n in (_dblp_number(x) for x in names) if n),
            known=tuple(k for k in known if k.family),
            topic_words=frozenset(_topic_words(topics)),
        )

    def __call__(self, work: Work) -> Authorship:
        return self._judge(work)

    def _judge(self, work: Work) -> Authorship:
        person = self.person
        if work.own_record:
            return Authorship(True, "on the researcher's own record", 1.0)
        orcid = self.orcid
        pid = person.ids.dblp
        names = person.all_names
        own_numbers = self.own_numbers
        for author in work.authors:
            if orcid and normalize_orcid(author.orcid) == orcid:
                return Authorship(True, f"author {author.name} carries the researcher's ORCID iD", 1.0)
            if pid and author.pid == pid:
                return Authorship(True, f"author {author.name} carries the researcher's DBLP pid", 1.0)
        if not work.authors:
            return Authorship(True, "no author list to check", 0.3)
        named = [a for a in work.authors if _same_name(a, names)]
        if not named:
            return Authorship(False, f"none of the {len(work.authors)} authors is {person.name} or an alias", 0.95)
        # A same-name author whose identifiers say they are someone else.
        others = []
        for a in named:
            if orcid and a.orcid and normalize_orcid(a.orcid) != orcid:
                others.append(f"{a.name} has ORCID iD {a.orcid}, not the researcher's")
            elif pid and a.pid and a.pid != pid:
                others.append(f"{a.name} is DBLP person {a.pid}, not the researcher's {pid}")
            elif own_numbers and _dblp_number(a.name) and _dblp_number(a.name) not in own_numbers:
                others.append(f"{a.name} is another DBLP homonym than {', '.join(sorted(own_numbers))}")
            else:
                others = []
                break
        if others:
            return Authorship(False, f"a namesake: {others[0]}", 0.95)
        me = named[0]
        rest = [a for a in work.authors if a is not me]
        known = self.known
        shared = [a.name for a in rest if _matches_known(parse_name(a.name), self.known_by_family)]
        if shared:
            listed = ", ".join(shared[:3]) + (f" and {len(shared) - 3} more" if len(shared) > 3 else "")
            return Authorship(True, f"{me.name} with known coauthors ({listed})", 0.9 if len(shared) >= 2 or len(rest) <= 2 else 0.8)
        topic_words = self.topic_words
        title_words = _topic_words([work.title])
        common = sorted(topic_words & title_words)
        if not rest:
            if topic_words and not common:
                return Authorship(False, f"a namesake: {me.name} is the only author and the title shares no subject with the researcher's works", 0.6)
            return Authorship(True, f"{me.name} is the only author" + (f"; subject fits ({', '.join(common[:3])})" if common else ""), 0.6 if common else 0.5)
        if not known:
            return Authorship(True, f"{me.name} is listed (no known coauthors to compare with)", 0.5)
        if len(rest) > MAX_STRANGERS_FOR_TOPIC:
            topic_note = f"; the subject overlaps ({', '.join(common[:3])}) but that is not enough" if common else "; nor does the subject fit"
            return Authorship(False, f"a namesake: {me.name} is listed, but none of the {len(rest)} coauthors has worked with the researcher{topic_note}", 0.8 if not common else 0.65)
        if common:
            return Authorship(True, f"{me.name} with new coauthors, on the researcher's subjects ({', '.join(common[:3])})", 0.55)
        if topic_words:
            return Authorship(False, f"a namesake: {me.name} is listed with {len(rest)} unknown coauthor(s) and the title shares no subject with the researcher's works", 0.6)
        return Authorship(True, f"{me.name} is listed with {len(rest)} unknown coauthor(s); nothing contradicts it", 0.5)
