"""push --to cv, below the CLI: apply_changes on a real cv.yaml with comments and odd formatting,
then save_document (validation, backup, atomic replace)."""

from __future__ import annotations

import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from profilesync.config import CvFormat
from profilesync.cv.formats import open_document
from profilesync.cv.record import load_cv
from profilesync.cv.writer import prune_backups, save_document
from profilesync.diff.changes import Change, ChangeKind
from profilesync.errors import UserError
from profilesync.match.matcher import MatchScore, Tier
from profilesync.model import Author, ExternalIds, Work, WorkStatus, WorkType
from profilesync.push.cv_apply import apply_changes

FIXTURE = Path(__file__).parents[1] / "fixtures" / "publish" / "cv.yaml"
NOW = datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)
STRONG = MatchScore(1.0, Tier.STRONG, "title+authors")


@pytest.fixture
def cv_file(tmp_path: Path) -> Path:
    target = tmp_path / "cv.yaml"
    shutil.copyfile(FIXTURE, target)
    return target


def field_change(key: str, field: str, value, cv_value=None) -> Change:
    return Change(ChangeKind.FIELD_DIFFERS, "dblp", f"{field} differs", cv_key=key, field=field, cv_value=cv_value, source_value=value, match=STRONG)


def published_fastserve() -> Work:
    return Work(
        title="FastServe: Iteration-Level Preemptive Scheduling for Large Language Model Inference",
        authors=tuple(Author(n) for n in ["Bingyang Wu", "Yinmin Zhong", "Zili Zhang 0002", "Gang Huang", "Xuanzhe Liu", "Xin Jin"]),
        year=2026,
        venue="23rd USENIX Symposium on Networked Systems Design and Implementation",
        venue_acronym="NSDI",
        type=WorkType.CONFERENCE,
        ids=ExternalIds(doi="10.5555/nsdi26.fastserve", dblp="conf/nsdi/WuZZHLJ26"),
        pages="1-18",
    )


def new_work() -> Work:
    return Work(
        title="dLoRA: Dynamically Orchestrating Requests and Adapters for LoRA LLM Serving",
        authors=(Author("Bingyang Wu"), Author("Ruidong Zhu"), Author("Zili Zhang"), Author("Xin Jin")),
        year=2024,
        venue_acronym="OSDI",
        type=WorkType.CONFERENCE,
        status=WorkStatus.PUBLISHED,
        ids=ExternalIds(dblp="conf/osdi/WuZZSLJ24"),
    )


def all_changes() -> list[Change]:
    return [
        field_change("jin2023ditto", "pages", "406-419 & more", "406--419"),
        field_change("xie2022winograd", "doi", "10.1145/3546591.3547529"),
        field_change("zhang2023auncel", "title", "A locked title must not be written"),
        Change(ChangeKind.NEW_VERSION, "dblp", "published", cv_key="wu2023fast", work=published_fastserve(), match=MatchScore(0.7, Tier.PROBABLE, "version")),
        Change(ChangeKind.MISSING_IN_CV, "dblp", "the CV lacks it", work=new_work()),
        Change(ChangeKind.PROFILE_DIFFERS, "orcid", "homepage", field="homepage", cv_value="zilizhang.site", source_value="https://zilizhang.site"),
        Change(ChangeKind.FOREIGN_WORK, "scholar", "a namesake", work=Work(title="Label-efficient single photon images classification", authors=(Author("Z Zhang"),), ids=ExternalIds(scholar="abc123"))),
        Change(ChangeKind.MISSING_IN_SOURCE, "orcid", "not on orcid", cv_key="liu2023rise"),
    ]


def edit(cv_file: Path, changes: list[Change]):
    document = open_document(cv_file, CvFormat.PROFILESYNC)
    result = apply_changes(document, changes)
    return document, result


def test_changes_land_where_they_belong(cv_file: Path):
    document, result = edit(cv_file, all_changes())
    saved = save_document(document, backup_dir=cv_file.parent / "backups", now=NOW)
    assert saved.written
    record = load_cv(cv_file)
    assert record.by_key("jin2023ditto").pages == "406-419 & more"
    assert record.by_key("xie2022winograd").ids.doi == "10.1145/3546591.3547529"
    # new_version: published venue, year, DOI; the arXiv id of the preprint stays
    fast = record.by_key("wu2023fast")
    assert fast.title.startswith("FastServe")
    assert (fast.venue_acronym, fast.year, fast.type, fast.status) == ("NSDI", 2026, WorkType.CONFERENCE, WorkStatus.PUBLISHED)
    assert (fast.ids.doi, fast.ids.arxiv, fast.ids.dblp) == ("10.5555/nsdi26.fastserve", "2305.05920", "conf/nsdi/wuzzhlj26".replace("wuzzhlj26", "WuZZHLJ26"))
    assert "Zili Zhang" in fast.author_names  # DBLP's homonym number is not copied
    # missing_in_cv: a new entry with a derived key
    added = record.by_key("wu2024dlora")
    assert added is not None
    assert added.venue_acronym == "OSDI"
    assert added.year == 2024
    assert result.added_keys == ("wu2024dlora",)
    assert record.person.homepage == "https://zilizhang.site"
    assert any(rule.scholar == "abc123" and rule.source == "scholar" for rule in record.ignore)


def test_locked_fields_and_notes_are_skipped(cv_file: Path):
    document, result = edit(cv_file, all_changes())
    reasons = {(s.change.kind, s.change.cv_key): s.reason for s in result.skipped}
    assert "locked" in reasons[(ChangeKind.FIELD_DIFFERS, "zhang2023auncel")]
    assert (ChangeKind.MISSING_IN_SOURCE, "liu2023rise") in reasons
    assert document.find("zhang2023auncel")["title"].startswith("Fast, Approximate Vector Queries")


def test_comments_and_untouched_lines_are_byte_identical(cv_file: Path):
    original = cv_file.read_text(encoding="utf-8")
    document, _ = edit(cv_file, [field_change("xie2022winograd", "doi", "10.1145/3546591.3547529"), field_change("jin2023ditto", "pages", "406-419")])
    new = document.render()
    old_lines, new_lines = original.splitlines(keepends=True), new.splitlines(keepends=True)
    removed = [line for line in old_lines if line not in new_lines]
    added = [line for line in new_lines if line not in old_lines]
    assert removed == ['        pages: "406--419"\n']
    assert added == ['        pages: "406-419"\n', "        ids: {doi: 10.1145/3546591.3547529}\n"]
    # every comment, the folded title, the block list with its odd indent, and `~` survive
    for marker in ("# Zili Zhang's CV record", "# as on papers", "# ---- preprints ----", "# unknown field, must survive", "title: >-", "          - Zili Zhang", "doi: ~", "# nothing yet", "'Z. Zhang'"):
        assert marker in new


def test_new_publication_follows_the_list_order_and_style(cv_file: Path):
    document, _ = edit(cv_file, [Change(ChangeKind.MISSING_IN_CV, "dblp", "lacks", work=new_work())])
    text = document.render()
    keys = [e["key"] for e in document.publications()]
    # the fixture's list is not sorted by year (a 2023 journal paper follows a 2022 one): append
    assert keys[-1] == "wu2024dlora"
    assert "    -   key: wu2024dlora\n" in text  # the file's own "    -   " sequence indent
    assert "authors: [Bingyang Wu, Ruidong Zhu, Zili Zhang, Xin Jin]" in text  # flow style like its siblings


def test_applying_twice_changes_nothing_more(cv_file: Path):
    document, _ = edit(cv_file, all_changes())
    save_document(document, backup_dir=cv_file.parent / "backups", now=NOW)
    once = cv_file.read_text(encoding="utf-8")
    document, result = edit(cv_file, all_changes())
    assert not result.changed
    assert document.render() == once
    assert any("already in the CV as wu2024dlora" in s.reason for s in result.skipped)
    assert any("already on the CV's ignore list" in s.reason for s in result.skipped)


def test_nothing_is_ever_deleted(cv_file: Path):
    before = [e["key"] for e in open_document(cv_file, CvFormat.PROFILESYNC).publications()]
    document, _ = edit(cv_file, all_changes())
    save_document(document, backup_dir=cv_file.parent / "backups", now=NOW)
    after = [e["key"] for e in open_document(cv_file, CvFormat.PROFILESYNC).publications()]
    assert set(before) <= set(after)
    unknown = open_document(cv_file, CvFormat.PROFILESYNC).find("wu2023fast")
    assert unknown["note"] == "* equal contribution"  # a field the schema does not know survives


def test_crash_between_write_and_replace_leaves_the_old_file(cv_file: Path, monkeypatch):
    original = cv_file.read_bytes()
    document, _ = edit(cv_file, all_changes())
    real_replace = os.replace

    def crash(src, dst):
        if Path(dst) == cv_file:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(UserError, match="cannot write"):
        save_document(document, backup_dir=cv_file.parent / "backups", now=NOW)
    assert cv_file.read_bytes() == original
    assert not [p for p in cv_file.parent.iterdir() if p.name.endswith(".tmp")]


def test_invalid_result_is_refused_and_nothing_written(cv_file: Path):
    original = cv_file.read_bytes()
    document, _ = edit(cv_file, [field_change("jin2023ditto", "year", 2023)])
    document.update_publication("jin2023ditto", {"year": 1066})  # outside the schema's range
    with pytest.raises(UserError, match="invalid"):
        save_document(document, backup_dir=cv_file.parent / "backups", now=NOW)
    assert cv_file.read_bytes() == original
    assert not (cv_file.parent / "backups").exists()


def test_a_file_edited_meanwhile_is_not_overwritten(cv_file: Path):
    document, _ = edit(cv_file, all_changes())
    cv_file.write_text(cv_file.read_text(encoding="utf-8") + "# edited by hand meanwhile\n", encoding="utf-8")
    with pytest.raises(UserError, match="changed on disk"):
        save_document(document, backup_dir=cv_file.parent / "backups", now=NOW)
    assert cv_file.read_text(encoding="utf-8").endswith("# edited by hand meanwhile\n")


def test_backup_is_the_old_file_and_backups_are_pruned(cv_file: Path):
    original = cv_file.read_bytes()
    backups = cv_file.parent / "backups"
    document, _ = edit(cv_file, all_changes())
    saved = save_document(document, backup_dir=backups, now=NOW)
    assert saved.backup is not None
    assert saved.backup.read_bytes() == original
    # timestamp, then pid and a random part, so two pushes in one second never share a name
    assert re.fullmatch(r"cv\.yaml\.20261128T060000-\d+-[0-9a-f]{6}\.bak", saved.backup.name), saved.backup.name
    for day in range(1, 15):
        (backups / f"cv.yaml.202611{day:02d}T000000.bak").write_text("x")
    deleted = prune_backups(backups, cv_file, keep=10)
    remaining = sorted(p.name for p in backups.glob("cv.yaml.*.bak"))
    assert len(remaining) == 10
    assert len(deleted) == 5
    assert remaining[-1] == saved.backup.name  # the newest is kept


def test_file_mode_is_kept(cv_file: Path):
    cv_file.chmod(0o644)
    document, _ = edit(cv_file, all_changes())
    save_document(document, backup_dir=cv_file.parent / "backups", now=NOW)
    assert cv_file.stat().st_mode & 0o777 == 0o644


def test_new_publication_goes_among_its_year_in_a_newest_first_list(tmp_path: Path):
    cv = tmp_path / "cv.yaml"
    cv.write_text(
        "person: {name: Zili Zhang}\n"
        "publications:\n"
        "  # newest first\n"
        "  - {key: a2025, title: A, year: 2025}\n"
        "  - {key: b2023, title: B, year: 2023}   # keep\n"
        "  - {key: c2021, title: C, year: 2021}\n",
        encoding="utf-8",
    )
    document, _ = edit(cv, [Change(ChangeKind.MISSING_IN_CV, "dblp", "lacks", work=new_work())])
    assert [e["key"] for e in document.publications()] == ["a2025", "wu2024dlora", "b2023", "c2021"]
    text = document.render()
    assert "  - {key: b2023, title: B, year: 2023}   # keep\n" in text
    assert load_cv(cv).by_key("a2025") is not None
