"""Shared pieces of the CV-format tests: changes a diff would propose, and a profile directory."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REPO_ROOT
from profilesync.diff.changes import Change, ChangeKind
from profilesync.match.matcher import MatchScore, Tier
from profilesync.model import Author, ExternalIds, Work, WorkStatus, WorkType

PUBLISH = Path(__file__).parent / "fixtures" / "publish"
STRONG = MatchScore(1.0, Tier.STRONG, "title+authors")


def field_change(key: str, field: str, value) -> Change:
    return Change(ChangeKind.FIELD_DIFFERS, "dblp", f"{field} differs", cv_key=key, field=field, source_value=value, match=STRONG)


def fastserve() -> Work:
    return Work(
        title="FastServe: Iteration-Level Preemptive Scheduling for Large Language Model Inference",
        authors=tuple(Author(n) for n in ["Bingyang Wu", "Yinmin Zhong", "Zili Zhang", "Gang Huang", "Xuanzhe Liu", "Xin Jin", "Bo Li"]),
        year=2026,
        venue="23rd USENIX Symposium on Networked Systems Design and Implementation",
        venue_acronym="NSDI",
        type=WorkType.CONFERENCE,
        ids=ExternalIds(doi="10.5555/nsdi26.fastserve"),
        pages="1-18",
    )


def dlora() -> Work:
    return Work(
        title="dLoRA: Dynamically Orchestrating Requests & Adapters for LoRA LLM Serving",
        authors=(Author("Bingyang Wu"), Author("Ruidong Zhu"), Author("Zili Zhang"), Author("Xin Jin")),
        year=2024,
        venue_acronym="OSDI",
        type=WorkType.CONFERENCE,
        status=WorkStatus.PUBLISHED,
        ids=ExternalIds(doi="10.5555/osdi24.dlora"),
    )


def profile_dir(tmp_path: Path, fixture: str, fmt: str) -> Path:
    """A profile directory with the demo's cached snapshots and ``fixture`` as the CV."""
    shutil.copyfile(PUBLISH / fixture, tmp_path / fixture)
    shutil.copytree(REPO_ROOT / "cache", tmp_path / "cache")
    (tmp_path / "config.yaml").write_text(
        "profile:\n  name: Zili Zhang\n  aliases: [\"Zhang, Zili\", \"Z. Zhang\"]\n"
        f"cv: {{path: {fixture}, format: {fmt}}}\n"
        "cache_dir: cache\n"
        "sources:\n  dblp: {base_url: \"http://127.0.0.1:9\"}\n  orcid: {id: 0000-0003-4209-9451}\n"
        "  scholar: {id: 310QUvQAAAAJ}\n  github: {id: Gold-Sea}\n",
        encoding="utf-8",
    )
    return tmp_path
