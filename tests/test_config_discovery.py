"""Config discovery: --config, $PROFILESYNC_CONFIG, ./profilesync.yaml, ./config.yaml only when it
is ours, then the user config folder; a site generator's config.yaml is named, never parsed as ours."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from profilesync.config import load_config
from profilesync.config_discovery import ConfigOrigin, find_config, foreign_config

# The first lines of a real Hugo site config (Hugo's quick start writes these keys).
HUGO_CONFIG = 'baseURL: "https://example.org/"\nlanguageCode: en-us\ntitle: My New Hugo Site\ntheme: ananke\n'
OURS = 'profile:\n  name: "Ada Lovelace"\ncv: cv.yaml\n'
CV = "person: {name: Ada Lovelace}\npublications: []\n"


def _profile(folder: Path, name: str, person: str = "Ada Lovelace") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f'profile:\n  name: "{person}"\ncv: cv.yaml\nsources: {{dblp: {{enabled: false}}, orcid: {{enabled: false}}, scholar: {{enabled: false}}, github: {{enabled: false}}}}\n')
    (folder / "cv.yaml").write_text(f"person: {{name: {person}}}\npublications: []\n")
    return folder / name


def test_hugo_config_is_named_and_not_parsed_as_ours(tmp_path, cli, digest):
    (tmp_path / "config.yaml").write_text(HUGO_CONFIG)
    before = digest(tmp_path)

    result = cli(["validate"], cwd=tmp_path)

    assert result.exit_code == 2
    assert "a Hugo site config" in result.stderr and "baseURL" in result.stderr
    assert "profilesync.yaml" in result.stderr and "--config" in result.stderr
    assert "unknown key" not in result.stderr  # it was not validated as ours
    assert digest(tmp_path) == before


def test_profilesync_yaml_wins_over_a_hugo_config(tmp_path, cli):
    (tmp_path / "config.yaml").write_text(HUGO_CONFIG)
    _profile(tmp_path, "profilesync.yaml")

    result = cli(["validate"], cwd=tmp_path)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("profilesync.yaml: ok")


def test_own_config_yaml_is_still_read(tmp_path):
    _profile(tmp_path, "config.yaml")
    found = find_config(tmp_path, {}, None)
    assert (found.origin, found.path) == (ConfigOrigin.SHARED_FILE, tmp_path / "config.yaml")


def test_order_argument_then_environment_then_files(tmp_path):
    _profile(tmp_path, "profilesync.yaml")
    other = _profile(tmp_path / "elsewhere", "mine.yaml")
    assert find_config(tmp_path, {}, other).origin is ConfigOrigin.ARGUMENT
    found = find_config(tmp_path, {"PROFILESYNC_CONFIG": "elsewhere/mine.yaml"}, None)
    assert (found.origin, found.path) == (ConfigOrigin.ENVIRONMENT, other)
    assert find_config(tmp_path, {}, None).origin is ConfigOrigin.OWN_FILE


def test_user_config_folder_is_the_last_resort(tmp_path, cli):
    xdg = tmp_path / "xdg"
    _profile(xdg / "profilesync", "config.yaml", person="Grace Hopper")
    site = tmp_path / "site"
    site.mkdir()
    (site / "config.yaml").write_text(HUGO_CONFIG)

    found = find_config(site, {"XDG_CONFIG_HOME": str(xdg)}, None)
    assert (found.origin, found.path) == (ConfigOrigin.USER_DIR, xdg / "profilesync" / "config.yaml")
    assert load_config(found.path).name == "Grace Hopper"
    # Without XDG_CONFIG_HOME, ~/.config is the folder.
    home = find_config(site, {"HOME": str(tmp_path / "home")}, None)
    assert tmp_path / "home" / ".config" / "profilesync" / "config.yaml" in home.looked_at
    result = cli(["validate"], cwd=site, environ={"XDG_CONFIG_HOME": str(xdg)})
    assert result.exit_code == 0, result.stderr


def test_nothing_found_says_where_it_looked(tmp_path, cli, digest):
    result = cli(["diff", "--offline"], cwd=tmp_path, environ={"HOME": str(tmp_path / "home")})
    assert result.exit_code == 2
    assert "no profilesync config found" in result.stderr
    assert "profilesync.yaml" in result.stderr and "config.yaml" in result.stderr and ".config/profilesync" in result.stderr
    assert "profilesync init --write" in result.stderr
    assert digest(tmp_path) == {}


def test_init_write_beside_a_hugo_config_writes_profilesync_yaml(tmp_path, cli):
    (tmp_path / "config.yaml").write_text(HUGO_CONFIG)

    result = cli(["init", "--write", "--name", "Ada Lovelace", "--offline"], cwd=tmp_path)

    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "config.yaml").read_text() == HUGO_CONFIG  # the site's file is untouched
    assert load_config(tmp_path / "profilesync.yaml").name == "Ada Lovelace"
    assert cli(["validate"], cwd=tmp_path).exit_code == 0


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        (HUGO_CONFIG, "a Hugo site config"),
        ("title: Blog\nplugins: [jekyll-feed]\ncollections: {publications: {output: true}}\n", "a Jekyll site config"),
        ("site_name: Docs\nnav:\n  - index.md\n", "an MkDocs config"),
        ("services:\n  web: {image: nginx}\n", "a Docker Compose file"),
        ("- a\n- b\n", "not a mapping of settings"),
        ("colour: blue\n", "another program's config"),
        (OURS, None),
        ("profile: {}\nbaseURL: x\n", None),  # ours, with a mistake the loader will name
        ("sources: {}\n", None),  # ours without profile: the loader says profile is required
        ("key: [unclosed\n", None),  # unparsable: the loader reports the line
        ("", None),
    ],
)
def test_foreign_config_verdicts(tmp_path, text, verdict):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    found = foreign_config(path)
    assert (found or None) == verdict or (verdict and found.startswith(verdict))


def test_bundled_demo_keeps_its_config_yaml(tmp_path):
    for name in ("config.yaml", "cv.yaml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    found = find_config(tmp_path, {}, None)
    assert found.origin is ConfigOrigin.SHARED_FILE
    assert load_config(found.path).name == "Zili Zhang"


def test_an_alias_bomb_in_config_yaml_is_refused_not_expanded(tmp_path, cli, digest):
    """Sniffing ./config.yaml goes through the bounded YAML reader, like loading it."""
    import time

    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    (tmp_path / "config.yaml").write_text("\n".join(levels) + "\n")
    before = digest(tmp_path)
    started = time.monotonic()
    result = cli(["validate"], cwd=tmp_path)
    assert time.monotonic() - started < 10
    assert result.exit_code == 2
    assert "config.yaml" in result.stderr and "alias" in result.stderr
    assert digest(tmp_path) == before
