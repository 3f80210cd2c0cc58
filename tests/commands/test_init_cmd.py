"""``profilesync init``: candidate DBLP pids by name, and starter files that validate.

The author-search JSON is CONSTRUCTED in the documented shape (docs/sources.md §1.2/§1.3); no
recorded author-search response exists among the fixtures.
"""

from __future__ import annotations

from profilesync.config import load_config
from profilesync.cv.record import load_cv

SEARCH = {  # CONSTRUCTED, documented shape
    "result": {
        "query": "Di* Xu*",
        "status": {"@code": "200", "text": "OK"},
        "hits": {
            "@total": "2",
            "@computed": "2",
            "@sent": "2",
            "@first": "0",
            "hit": [
                {
                    "@score": "6",
                    "@id": "1",
                    "info": {
                        "author": "Di Xu 0001",
                        "notes": {"note": {"@type": "affiliation", "text": "University of British Columbia, Canada"}},
                        "url": "https://dblp.org/pid/95/7448-1",
                    },
                    "url": "URL#1",
                },
                {"@score": "6", "@id": "2", "info": {"author": "Di Xu", "url": "https://dblp.org/pid/95/7448"}, "url": "URL#2"},
            ],
        },
    }
}


def base(httpserver) -> str:
    return httpserver.url_for("/").rstrip("/")


def test_name_lists_candidates_and_writes_nothing(httpserver, tmp_path, cli, digest):
    httpserver.expect_request("/search/author/api").respond_with_json(SEARCH)

    result = cli(["init", "--name", "Di Xu", "--dblp-base-url", base(httpserver)], cwd=tmp_path)

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == 'dblp: 2 candidate(s) for "Di Xu":'
    assert lines[1].split() == ["95/7448-1", "Di", "Xu", "0001"]
    assert lines[2].strip() == "University of British Columbia, Canada"
    assert lines[3].strip() == "https://dblp.org/pid/95/7448-1"
    assert lines[4].split() == ["95/7448", "Di", "Xu"]
    assert lines[5].strip() == "https://dblp.org/pid/95/7448"
    assert 'sources.dblp.id, e.g.  dblp: {id: "95/7448-1"}' in lines[6]
    request = httpserver.log[0][0]
    assert request.args["q"] == "Di Xu"
    assert request.args["h"] == "10"
    assert digest(tmp_path) == {}


def test_write_makes_files_that_validate(tmp_path, cli, digest):
    result = cli(["init", "--write", "--name", "Di Xu", "--dblp-pid", "95/7448-1", "--offline"], cwd=tmp_path)

    assert result.exit_code == 0, result.stderr
    assert sorted(digest(tmp_path)) == ["config.yaml", "cv.yaml"]
    config = load_config(tmp_path / "config.yaml")
    assert config.name == "Di Xu"
    assert config.sources["dblp"].id == "95/7448-1"
    assert config.sources["dblp"].base_url == "https://dblp.org"
    assert config.cv_path == tmp_path / "cv.yaml"
    cv = load_cv(tmp_path / "cv.yaml")
    assert cv.person.name == "Di Xu"
    assert cv.person.ids.dblp == "95/7448-1"
    assert cv.works == ()


def test_write_without_pid_leaves_resolution_to_pull(tmp_path, cli, digest):
    result = cli(["init", "--write", "--name", 'Zili "Z" Zhang', "--offline"], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    config = load_config(tmp_path / "config.yaml")
    assert config.name == 'Zili "Z" Zhang'  # quoting survives
    assert config.sources["dblp"].id is None
    assert load_cv(tmp_path / "cv.yaml").person.ids.dblp is None


def test_written_files_pass_validate(tmp_path, cli, digest):
    written = cli(["init", "--write", "--name", "Jörg Müller", "--offline"], cwd=tmp_path)
    assert written.exit_code == 0, written.stderr
    assert 'name: "Jörg Müller"' in (tmp_path / "config.yaml").read_text(encoding="utf-8")
    assert load_cv(tmp_path / "cv.yaml").person.name == "Jörg Müller"
    result = cli(["validate"], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr


def test_write_never_overwrites_without_force(tmp_path, cli, digest):
    (tmp_path / "cv.yaml").write_text("person: {name: Mine}\npublications: []\n")
    before = digest(tmp_path)

    result = cli(["init", "--write", "--name", "Di Xu", "--offline"], cwd=tmp_path)

    assert result.exit_code == 2
    assert "cv.yaml: already exists; not overwritten (fix: pass --force" in result.stderr
    assert digest(tmp_path) == before  # config.yaml was not written either

    forced = cli(["init", "--write", "--force", "--name", "Di Xu", "--offline"], cwd=tmp_path)
    assert forced.exit_code == 0
    assert load_cv(tmp_path / "cv.yaml").person.name == "Di Xu"


def test_write_rejects_a_name_given_as_pid(tmp_path, cli, digest):
    result = cli(["init", "--write", "--dblp-pid", "Zili Zhang", "--offline"], cwd=tmp_path)
    assert result.exit_code == 2
    assert 'error: --dblp-pid: expected a DBLP pid like "95/7448-1", got "Zili Zhang"' in result.stderr
    assert digest(tmp_path) == {}


def test_write_to_the_config_path_given(tmp_path, cli, digest):
    result = cli(["--config", "profile/config.yaml", "init", "--write", "--offline"], cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert sorted(digest(tmp_path)) == ["profile/config.yaml", "profile/cv.yaml"]
    assert load_config(tmp_path / "profile" / "config.yaml").name == "Your Name"
    assert 'they say "Your Name"' in result.stderr


def test_search_uses_the_base_url_of_an_existing_config(httpserver, tmp_path, cli, digest):
    httpserver.expect_request("/search/author/api").respond_with_json(SEARCH)
    written = cli(["init", "--write", "--name", "Di Xu", "--offline", "--dblp-base-url", base(httpserver)], cwd=tmp_path)
    assert written.exit_code == 0, written.stderr
    assert load_config(tmp_path / "config.yaml").sources["dblp"].base_url == base(httpserver)

    result = cli(["init", "--name", "Di Xu"], cwd=tmp_path)

    assert result.exit_code == 0, result.stderr
    assert "95/7448-1" in result.stdout
    assert len(httpserver.log) == 1


def test_search_failure_exits_3(httpserver, tmp_path, cli, digest):
    httpserver.expect_request("/search/author/api").respond_with_data("nope", status=404)
    result = cli(["init", "--name", "Di Xu", "--dblp-base-url", base(httpserver)], cwd=tmp_path)
    assert result.exit_code == 3
    assert "dblp: search failed:" in result.stdout
    assert "HTTP 404" in result.stdout


def test_no_match(httpserver, tmp_path, cli, digest):
    empty = {"result": {"query": "Nobody*", "status": {"@code": "200", "text": "OK"}, "hits": {"@total": "0", "@computed": "0", "@sent": "0", "@first": "0"}}}
    httpserver.expect_request("/search/author/api").respond_with_json(empty)
    result = cli(["init", "--name", "Nobody Atall", "--dblp-base-url", base(httpserver)], cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout.strip() == 'dblp: no person named "Nobody Atall" found'


def test_nothing_to_do_is_a_usage_error(tmp_path, cli, digest):
    result = cli(["init"], cwd=tmp_path)
    assert result.exit_code == 2
    assert "give --name" in result.stderr


def test_help_shows_examples(tmp_path, cli, digest):
    result = cli(["init", "--help"], cwd=tmp_path)
    assert result.exit_code == 0
    text = result.stdout
    assert 'profilesync init --name "Zili Zhang"' in text
    assert "--dblp-base-url" in text
