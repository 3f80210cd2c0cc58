"""Choose a DBLP person for a name when no pid is configured, by the coauthors they share with the CV.

A name alone does not identify a researcher: DBLP has many "Zili Zhang"s, told apart only by a
number. The people someone writes with do. Each candidate's coauthor list is compared with the
coauthors the CV (or the config) names, and a candidate is chosen only when the evidence is
clear: enough shared coauthors, and clearly more than the runner-up. Otherwise nothing is
chosen and the user is asked to set the pid, because a wrong pid would import a namesake's
papers into every report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from profilesync.normalize.names import same_person_name, strip_dblp_suffix


@dataclass(frozen=True)
class CandidateScore:
    """How well one DBLP person fits: which of the known coauthors appear among theirs."""

    pid: str
    name: str
    matched: tuple[str, ...]
    known: int

    @property
    def count(self) -> int:
        return len(self.matched)

    def describe(self) -> str:
        return f"{self.pid} ({self.name}): {self.count} of {self.known} known coauthors"


@dataclass(frozen=True)
class Decision:
    """The outcome: ``chosen`` is None when the evidence was not clear; ``reason`` says why either way."""

    chosen: CandidateScore | None
    ranking: tuple[CandidateScore, ...]
    reason: str


def known_coauthors(names: Iterable[str], person_names: Sequence[str]) -> tuple[str, ...]:
    """The distinct coauthor names, without the researcher's own name variants."""
    out: list[str] = []
    for name in names:
        text = " ".join(str(name).split())
        if not text or any(same_person_name(text, own) for own in person_names):
            continue
        if not any(same_person_name(text, seen) for seen in out):
            out.append(text)
    return tuple(out)


def score(pid: str, name: str, candidate_coauthors: Iterable[str], known: Sequence[str]) -> CandidateScore:
    """Which names of ``known`` appear among ``candidate_coauthors`` (initials and DBLP suffixes allowed)."""
    theirs = [strip_dblp_suffix(c) for c in candidate_coauthors]
    # A plain scan: tens of known names against a few hundred coauthors is a few thousand cheap
    # comparisons, and same_person_name also handles family-first order, which an index would miss.
    matched = tuple(k for k in known if any(same_person_name(k, c) for c in theirs))
    return CandidateScore(pid=pid, name=name, matched=matched, known=len(known))


def decide(scores: Sequence[CandidateScore], known: Sequence[str]) -> Decision:
    """Pick the best candidate when it is clearly best.

    Clear means: at least two shared coauthors (one when the CV names only one), and at least
    twice as many as the runner-up. Ties and thin evidence choose nobody.
    """
    ranking = tuple(sorted(scores, key=lambda s: (-s.count, s.pid)))
    if not ranking:
        return Decision(None, ranking, "the author search found no person with this name")
    if not known:
        return Decision(None, ranking, f"{len(ranking)} DBLP person(s) carry this name and no coauthors are known to tell them apart")
    best = ranking[0]
    runner_up = ranking[1] if len(ranking) > 1 else None
    needed = 2 if len(known) >= 2 else 1
    if best.count < needed:
        return Decision(None, ranking, f"no candidate shares enough coauthors with the CV (best: {best.describe()})")
    if runner_up is not None and best.count < 2 * runner_up.count:
        return Decision(None, ranking, f"two candidates fit about equally well ({best.describe()}; {runner_up.describe()})")
    return Decision(best, ranking, _because(best, runner_up))


def _because(best: CandidateScore, runner_up: CandidateScore | None) -> str:
    text = f"{best.count} of {best.known} known coauthors appear"
    if runner_up is not None:
        text += f"; next best {runner_up.pid}: {runner_up.count}"
    return text
