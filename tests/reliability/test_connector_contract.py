"""The contract every connector keeps (DESIGN section 4), run against each one on a local server
serving its recorded answers, and against the in-memory connector.

- ``fetch`` returns a Snapshot named for the source, stamped with the run's clock, whose works
  carry identifiers in canonical form, and which survives the JSON round trip unchanged;
- a source that cannot be read raises a ``SourceError`` (never a requests or parser exception);
- a read-only connector refuses ``push`` in the base class.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from profilesync.config import SourceConfig, load_config
from profilesync.connectors import registry
from profilesync.connectors.base import Capability, FetchContext
from profilesync.connectors.memory import MemoryConnector
from profilesync.cv.record import load_cv
from profilesync.errors import ReadOnlyError, SourceError
from profilesync.model import Snapshot, Work, WorkType
from profilesync.normalize.identifiers import normalize_arxiv, normalize_doi
from profilesync.pipeline import researcher

from .profile import new_profile
from .servers import SourceServer, status
from .sources import CASES

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)


def _connector(profile, name):
    config = load_config(profile / "config.yaml")
    cv = load_cv(config.cv_path)
    connector = registry.create(config, name, {})
    return connector, FetchContext(person=researcher(config, cv), now=NOW, coauthors=())


def _check_snapshot(snapshot: Snapshot, name: str) -> None:
    assert snapshot.source == name
    assert snapshot.fetched_at == NOW
    assert snapshot.works, "the recorded profile has works"
    for work in snapshot.works:
        assert isinstance(work, Work) and work.title.strip()
        assert isinstance(work.type, WorkType)
        if work.ids.doi:
            assert normalize_doi(work.ids.doi) == work.ids.doi
        if work.ids.arxiv:
            assert normalize_arxiv(work.ids.arxiv) == work.ids.arxiv
    again = Snapshot.from_dict(json.loads(json.dumps(snapshot.to_dict())))
    assert again == snapshot


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fetch_returns_a_canonical_snapshot(case, source_server: SourceServer, tmp_path):
    profile = tmp_path / "profile"
    new_profile(profile, [case], {case.name: source_server.root})
    connector, context = _connector(profile, case.name)
    try:
        snapshot = connector.fetch(context)
    finally:
        connector.close()
    _check_snapshot(snapshot, case.name)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_an_unreadable_source_raises_a_source_error(case, source_server: SourceServer, tmp_path):
    profile = tmp_path / "profile"
    new_profile(profile, [case], {case.name: source_server.root})
    source_server.fail_always(case.name, status(503))
    connector, context = _connector(profile, case.name)
    try:
        with pytest.raises(SourceError) as caught:
            connector.fetch(context)
    finally:
        connector.close()
    assert caught.value.source == case.name
    assert caught.value.reason


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_capabilities_are_enforced_by_the_base_class(name):
    cls = registry.connector_class(name)
    config = SourceConfig(name=name, enabled=True, id=None, base_url="http://127.0.0.1:9", timeout_s=1.0)
    connector = cls(config, None)
    # No real connector writes: ORCID, the one source profilesync adds works to, does it through
    # push/orcid.py (CV, snapshot and push state together), and its refusal says so.
    assert Capability.WRITE not in cls.capabilities
    with pytest.raises(ReadOnlyError) as refused:
        connector.push([Work(title="x")], dry_run=True)
    if name == "orcid":
        assert "profilesync push --to orcid" in str(refused.value)


def test_memory_connector_keeps_the_contract():
    recorded = Snapshot(source="x", fetched_at=datetime(2020, 1, 1, tzinfo=timezone.utc), person=None, works=(Work(title="A paper", type=WorkType.JOURNAL),))
    config = SourceConfig(name="dblp", enabled=True, id=None, base_url="http://127.0.0.1:9", timeout_s=1.0)
    from profilesync.model import Person

    context = FetchContext(person=Person(name="Zili Zhang"), now=NOW)
    _check_snapshot(MemoryConnector(config, recorded).fetch(context), "dblp")
    failing = MemoryConnector(config, recorded, fail_with=SourceError("dblp", "down"))
    with pytest.raises(SourceError):
        failing.fetch(context)
    assert MemoryConnector(config, recorded).push([Work(title="A paper")], dry_run=True)[0].outcome == "would-create"
