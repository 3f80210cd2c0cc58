"""Matcher parameters: the fitted profiles from ``match/default.yaml`` plus config overrides.

Two profiles ship: ``clean`` (fitted on DBLP-ACM: curated records such as DBLP, ORCID, a CV) and
``noisy`` (fitted on DBLP-Scholar: scraped records with truncated titles, initials-only authors and
missing years, such as Google Scholar). ``source_profiles`` says which source uses which; the
config's ``matching:`` section may override any scalar, the thresholds of a profile, or the
source-to-profile map.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from profilesync.errors import Problem, UserError
from profilesync.match.scoring import Profile, Shape

DEFAULT_YAML = "default.yaml"

# Does the source keep a preprint and its published paper as two records by policy? DBLP lists a
# CoRR record beside the paper; ORCID keeps versions in separate groups (linked by version-of ids).
# Google Scholar clusters versions into one row, so two rows of one paper are its duplicate.
VERSIONS_APART: Mapping[str, bool] = {"dblp": True, "orcid": True, "scholar": False, "github": True}
# Does the source list the researcher's papers? A GitHub account lists repositories: a CV paper
# absent from it is not missing there.
LISTS_PAPERS: Mapping[str, bool] = {"github": False}
# Does the source rewrite the case of titles? Google Scholar lower-cases and recases them, so a
# title that differs from the CV's only in case is its noise, not a correction.
RECASES_TITLES: Mapping[str, bool] = {"scholar": True}
# Does the source list software that implements papers (repositories citing them)?
LISTS_SOFTWARE: Mapping[str, bool] = {"github": True}


def _fallback_profile(name: str) -> Profile:
    """A hand-set profile used only if the shipped YAML is missing (a broken install)."""
    shapes = {
        "title_ratio": Shape((0.0, 0.8, 0.9, 1.0), (-6.0, -2.0, 2.0, 5.0)),
        "authors_min": Shape((0.0, 1.0), (-2.0, 3.0)),
        "year_same": Shape((0.0, 1.0), (0.0, 1.0)),
    }
    return Profile(name=name, bias=-1.0, shapes=shapes, strong=0.95, probable=0.5, fitted_on="built-in fallback")


@dataclass(frozen=True)
class MatchParams:
    """Everything the matcher needs besides the works. Immutable; build with :func:`load_params`.

    - ``profiles``: fitted scoring models by name; ``profile`` is the one in use.
    - ``source_profiles``: source name -> profile name (``scholar: noisy``).
    - ``version_title`` / ``version_authors``: how similar a preprint and its published form must
      be in title (token-set similarity) and author overlap to count as one work.
    - ``block_max_df``: title tokens shared by more works than this are too common to block on.
    - ``block_small`` / ``block_budget``: a source table of at most ``block_small`` works is
      blocked on every title word; a larger one on its rarest words, up to ``block_keys`` words
      and about ``block_budget`` candidate records per CV work (see ``match.blocking``).
    - ``versions_apart``: the source keeps a preprint and its published paper as two records by
      policy (DBLP files arXiv copies under CoRR; ORCID keeps versions in separate groups), so the
      two are never its duplicate; false for a source that merges versions (Google Scholar), where
      an arXiv row beside the conference row is a listing to merge. Set by :meth:`for_source`
      from :data:`VERSIONS_APART`.
    """

    profiles: Mapping[str, Profile] = field(default_factory=lambda: {"clean": _fallback_profile("clean")})
    profile: str = "clean"
    source_profiles: Mapping[str, str] = field(default_factory=dict)
    version_title: float = 0.5
    version_authors: float = 0.6
    block_keys: int = 4
    block_max_df: int = 2000
    block_small: int = 1000
    block_budget: int = 100
    versions_apart: bool = True
    # What the source's listing is like (set by :meth:`for_source`, from the tables above): the
    # diff reads these flags and never a source's name.
    lists_papers: bool = True
    recases_titles: bool = False
    lists_software: bool = False

    @property
    def model(self) -> Profile:
        return self.profiles.get(self.profile) or next(iter(self.profiles.values()))

    @property
    def strong(self) -> float:
        return self.model.strong

    @property
    def probable(self) -> float:
        return self.model.probable

    def for_source(self, source: str | None) -> MatchParams:
        """The same parameters with the profile that ``source`` uses (``scholar`` -> ``noisy``)."""
        name = self.source_profiles.get(source or "", self.source_profiles.get("default", self.profile))
        key = source or ""
        apart, papers = VERSIONS_APART.get(key, True), LISTS_PAPERS.get(key, True)
        recases, software = RECASES_TITLES.get(key, False), LISTS_SOFTWARE.get(key, False)
        traits = (apart, papers, recases, software)
        if (name == self.profile or name not in self.profiles) and traits == (self.versions_apart, self.lists_papers, self.recases_titles, self.lists_software):
            return self
        profile = name if name in self.profiles else self.profile
        return replace(self, profile=profile, versions_apart=apart, lists_papers=papers, recases_titles=recases, lists_software=software)

    def with_profile(self, name: str) -> MatchParams:
        if name not in self.profiles:
            raise UserError([Problem(None, "matching.profile", f"unknown matcher profile {name!r}", f"use one of: {', '.join(sorted(self.profiles))}")])
        return replace(self, profile=name)


@lru_cache(maxsize=1)
def _default_yaml() -> dict[str, Any]:
    """The shipped parameters; a profile's ``forest_file`` (boosted trees, JSON) is read in."""
    package = resources.files("profilesync.match")
    try:
        text = package.joinpath(DEFAULT_YAML).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    from profilesync.yamlio import parse_yaml

    data = dict(parse_yaml(text, f"profilesync/match/{DEFAULT_YAML}") or {})
    for body in (data.get("profiles") or {}).values():
        name = body.get("forest_file") if isinstance(body, dict) else None
        if name:
            body["forest"] = json.loads(package.joinpath(str(name)).read_text(encoding="utf-8"))
    return data


_SCALARS = ("version_title", "version_authors", "block_keys", "block_max_df", "block_small", "block_budget")


def params_from_dict(data: Mapping[str, Any], *, where: str = "matching") -> MatchParams:
    """Build parameters from a YAML-shaped mapping (the shipped file merged with overrides)."""
    profiles = {str(name): Profile.from_dict(str(name), body) for name, body in (data.get("profiles") or {}).items()}
    if not profiles:
        profiles = {"clean": _fallback_profile("clean")}
    kwargs: dict[str, Any] = {}
    for key in _SCALARS:
        if key in data:
            try:
                default: Any = MatchParams.__dataclass_fields__[key].default  # every scalar has one
                kwargs[key] = type(default)(data[key])
            except (TypeError, ValueError):
                raise UserError([Problem(None, f"{where}.{key}", f"{data[key]!r} is not a number", "give a number")]) from None
    profile = str(data.get("profile") or ("clean" if "clean" in profiles else next(iter(profiles))))
    if profile not in profiles:
        raise UserError([Problem(None, f"{where}.profile", f"unknown matcher profile {profile!r}", f"use one of: {', '.join(sorted(profiles))}")])
    return MatchParams(profiles=profiles, profile=profile, source_profiles=dict(data.get("source_profiles") or {}), **kwargs)


def _threshold_overrides(overrides: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    out: list[tuple[str, Mapping[str, Any]]] = [("matching", overrides)]
    for name, body in (overrides.get("profiles") or {}).items():
        if isinstance(body, Mapping):
            out.append((f"matching.profiles.{name}", body))
    return out


def load_params(overrides: Mapping[str, Any] | None = None) -> MatchParams:
    """The shipped parameters, with the config's ``matching:`` section applied on top.

    Overrides may set the scalars above, ``profile``, ``source_profiles``, and per-profile
    thresholds: ``{"profiles": {"noisy": {"strong": 0.97}}}``. Raises UserError on unknown
    settings or profile names, non-numeric values and thresholds outside (0, 1).
    """
    base = _default_yaml()
    known = {"profile", "profiles", "source_profiles", "strong", "probable", *_SCALARS}
    unknown = sorted(set(overrides or {}) - known)
    if unknown:
        raise UserError([Problem(None, f"matching.{unknown[0]}", f"unknown matcher setting {unknown[0]!r}", f"use one of: {', '.join(sorted(known))}")])
    for where, body in _threshold_overrides(overrides or {}):
        for key in ("strong", "probable"):
            if key in body and not (isinstance(body[key], (int, float)) and 0.0 < float(body[key]) < 1.0):
                raise UserError([Problem(None, f"{where}.{key}", f"{body[key]!r} is not a number between 0 and 1", "give a probability such as 0.9")])
    data: dict[str, Any] = {k: v for k, v in base.items() if k != "profiles"}
    profiles = {name: dict(body) for name, body in (base.get("profiles") or {}).items()}
    over = dict(overrides or {})
    for name, body in (over.pop("profiles", None) or {}).items():
        if name not in profiles:
            raise UserError([Problem(None, f"matching.profiles.{name}", f"unknown matcher profile {name!r}", f"use one of: {', '.join(sorted(profiles))}")])
        for key in ("strong", "probable"):
            if key in (body or {}):
                profiles[name][key] = body[key]
    # Legacy top-level thresholds apply to every profile.
    for key in ("strong", "probable"):
        if key in over:
            value = over.pop(key)
            for body in profiles.values():
                body[key] = value
    sp = {**(data.get("source_profiles") or {}), **(over.pop("source_profiles", None) or {})}
    data.update(over)
    data["source_profiles"] = sp
    data["profiles"] = profiles
    return params_from_dict(data)
