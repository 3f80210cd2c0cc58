"""``profilesync init``: find your ids by name, and write a starter config.yaml and cv.yaml.

Two jobs, kept apart so neither surprises:
- ``--name "Full Name"`` asks each id finder (today DBLP's author search) for candidates and
  prints them; it writes nothing.
- ``--write`` writes a starter ``config.yaml`` and ``cv.yaml`` that pass ``profilesync
  validate``. It needs no network and never overwrites a file unless ``--force`` is given.

A source that can look people up by name says so on its connector (``people_search`` and
``find_people``); ``finders()`` lists them in report order, nothing here names a source.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from profilesync.app import App
from profilesync.connectors.base import PersonCandidate
from profilesync.errors import ExitStatus, Problem, SourceError, UserError

DESCRIPTION = """\
Find your DBLP person id by name, and write a starter config.yaml and cv.yaml.

Examples:
  profilesync init --name "Zili Zhang"
        list the DBLP people called Zili Zhang (pid, affiliation, URL); put the right pid in
        config.yaml as sources.dblp.id
  profilesync init --write --name "Zili Zhang" --dblp-pid 123/4567
        write config.yaml and cv.yaml for Zili Zhang with that DBLP pid, then list candidates
  profilesync init --write --name "Zili Zhang" --offline
        write the starter files without asking DBLP anything
  profilesync init --name "Zili Zhang" --dblp-base-url https://dblp.uni-trier.de
        search a DBLP mirror

Without --dblp-pid the config leaves sources.dblp.id out: `profilesync pull` then resolves the
person by name and the coauthors in cv.yaml, and says which pid it chose and why.
Existing files are never overwritten unless --force is given.
"""

DEFAULT_HITS = 10


Candidate = PersonCandidate  # one person a source knows under the searched name


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", metavar="FULL NAME", help="your name as publications write it; lists matching DBLP people")
    parser.add_argument("--write", action="store_true", help="write a starter config.yaml and cv.yaml (next to --config)")
    parser.add_argument("--force", action="store_true", help="with --write: overwrite existing files")
    parser.add_argument("--offline", action="store_true", help="do not search any source (with --write: only write the files)")
    parser.add_argument("--dblp-pid", metavar="PID", help='with --write: the DBLP pid to put in the config, e.g. "95/7448-1"')
    parser.add_argument("--dblp-base-url", metavar="URL", help="DBLP host or mirror to search (default: the config's, else https://dblp.org)")
    parser.add_argument("--max-hits", type=int, default=DEFAULT_HITS, metavar="N", help=f"candidates to list per source (default {DEFAULT_HITS})")
    from profilesync.commands import init_orcid

    init_orcid.configure(parser)  # --orcid, --orcid-search, --orcid-base-url


def run(args: argparse.Namespace, app: App) -> ExitStatus:
    if not args.name and not args.write and not args.orcid:
        raise UserError([Problem(None, "init", "nothing to do", 'give --name "Full Name" to find your ids, and/or --write to write starter files')])
    if args.max_hits < 1:
        raise UserError([Problem(None, "--max-hits", f"expected a positive number, got {args.max_hits}", "use e.g. --max-hits 10")])
    if args.orcid:
        from profilesync.commands.init_orcid import check_orcid_arg

        check_orcid_arg(args, app)  # before writing: a wrong iD leaves no files behind
    if args.write:
        write_starter_files(args, app)
    if args.name and not args.offline:
        return list_candidates(args.name, args, app)
    return ExitStatus.OK


# --- finding ids by name ---------------------------------------------------------------------


def finders(args: argparse.Namespace) -> tuple[str, ...]:
    """The sources to ask for people by name, in report order: those that always can, and
    those that ask another service only when the user says so (``--<source>-search``)."""
    from profilesync.connectors.base import PeopleSearch
    from profilesync.connectors.registry import SOURCE_NAMES, connector_class

    asked = []
    for source in SOURCE_NAMES:
        search = connector_class(source).people_search
        if search is PeopleSearch.ALWAYS or (search is PeopleSearch.ON_REQUEST and getattr(args, f"{source}_search", False)):
            asked.append(source)
    return tuple(asked)


def find_people(source: str, name: str, args: argparse.Namespace, app: App) -> list[Candidate]:
    """Candidates from ``source``'s people search, at the flag's base URL (``--<source>-base-url``),
    else the config's, else the source's default. Raises the HTTP client's ``SourceError``s."""
    from profilesync.commands.source_policy import source_policy
    from profilesync.connectors.http import HttpClient
    from profilesync.connectors.registry import connector_class

    def invalid() -> None:
        app.info(f"note: {app.config_path.name} does not validate; searching {source} with its default settings")

    base_url, policy = source_policy(source, app.config_path, on_invalid=invalid)
    base_url = (getattr(args, f"{source}_base_url", None) or base_url).rstrip("/")
    http = HttpClient(policy)
    try:
        return connector_class(source).find_people(http, base_url, name, rows=args.max_hits)
    finally:
        http.close()


def list_candidates(name: str, args: argparse.Namespace, app: App) -> ExitStatus:
    """Print every finder's candidates. Exit 3 when a finder failed, else 0 (also when none matched)."""
    failed = False
    for source in finders(args):
        app.info(f"searching {source} for {name!r} ...")
        try:
            candidates = find_people(source, name, args, app)
        except SourceError as exc:
            app.out(f"{source}: search failed: {exc.reason}")
            failed = True
            continue
        if not candidates:
            app.out(f'{source}: no person named "{name}" found')
            continue
        app.out(f'{source}: {len(candidates)} candidate(s) for "{name}":')
        width = max(len(c.id) for c in candidates)
        for c in candidates:
            app.out(f"  {c.id.ljust(width)}  {c.name}")
            if c.detail:
                app.out(f"  {' ' * width}  {c.detail}")
            app.out(f"  {' ' * width}  {c.url}")
        app.out(f"Put the right one in config.yaml as sources.{source}.id, e.g.  {source}: {{id: {_quote(candidates[0].id)}}}")
    return ExitStatus.SOURCE_FAILED if failed else ExitStatus.OK


def _quote(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML); non-ASCII kept readable."""
    return json.dumps(value, ensure_ascii=False)


# --- starter files ---------------------------------------------------------------------------


def write_starter_files(args: argparse.Namespace, app: App) -> None:
    """Write config.yaml (profilesync.yaml where a site generator's config.yaml is already there)
    and cv.yaml next to each other. Raises ``UserError`` before writing anything
    when a file exists (without ``--force``) or an argument is malformed."""
    from profilesync.connectors.dblp_xml import is_pid
    from profilesync.snapshots import atomic_write_text

    config_path = app.found_config.init_target(app.env.cwd)
    cv_path = config_path.with_name("cv.yaml")
    problems: list[Problem] = []
    if args.dblp_pid and not is_pid(args.dblp_pid):
        problems.append(Problem(None, "--dblp-pid", f'expected a DBLP pid like "95/7448-1", got "{args.dblp_pid}"', 'find it with `profilesync init --name "Full Name"`'))
    if not args.force:
        problems.extend(
            Problem(str(path), None, "already exists; not overwritten", "pass --force to replace it, or --config to write elsewhere")
            for path in (config_path, cv_path)
            if path.exists()
        )
    if problems:
        raise UserError(problems)
    name = args.name or "Your Name"
    files = {config_path: starter_config(name, cv_path.name, _source_blocks(args)), cv_path: starter_cv(name, _person_ids(args))}
    for path, text in files.items():
        atomic_write_text(path, text)
        app.info(f"wrote {path}")
    if not args.name:
        app.info(f'edit profile.name in {config_path.name} and person.name in {cv_path.name}: they say "{name}"')


def _dblp_block(args: argparse.Namespace) -> list[str]:
    lines = ["  dblp:", "    enabled: true"]
    if args.dblp_pid:
        lines.append(f"    id: {_quote(args.dblp_pid)}")
    else:
        lines.append('    # id: "95/7448-1"   # your DBLP pid; without it the person is resolved by name + coauthors')
    if args.dblp_base_url:
        lines.append(f"    base_url: {_quote(args.dblp_base_url.rstrip('/'))}")
    lines.append('    # coauthors: ["A Frequent Coauthor"]   # helps pick the right DBLP person when no id is set')
    return lines


# One function per source block; a source that gains an id flag (--orcid ...) adds its own here.
def _orcid_block(args: argparse.Namespace) -> list[str]:
    from profilesync.commands.init_orcid import orcid_block

    return orcid_block(args)


SOURCE_BLOCKS: dict[str, Callable[[argparse.Namespace], list[str]]] = {"dblp": _dblp_block, "orcid": _orcid_block}


def _source_blocks(args: argparse.Namespace) -> list[str]:
    lines: list[str] = []
    for block in SOURCE_BLOCKS.values():
        lines.extend(block(args))
    return lines


def _person_ids(args: argparse.Namespace) -> dict[str, str | None]:
    from profilesync.commands.init_orcid import normalized_arg

    return {"orcid": normalized_arg(args), "scholar": None, "github": None, "dblp": args.dblp_pid or None}


def starter_config(name: str, cv_name: str, source_lines: list[str]) -> str:
    """The text of a minimal valid config.yaml (JSON-quoted scalars are valid YAML)."""
    lines = [
        "# profilesync configuration, written by `profilesync init`.",
        "# Check it with `profilesync validate`; the README lists every key.",
        "profile:",
        f"  name: {_quote(name)}",
        "  aliases: []   # other ways your name is written, e.g. [\"Zhang, Zili\"]",
        f"cv: {cv_name}",
        "cache_dir: cache",
        "# contact_email: you@example.org   # sent in the User-Agent, as DBLP and others ask",
        "sources:",
        *source_lines,
        "  # orcid:  {id: \"0000-0000-0000-0000\"}",
        "  # scholar: {id: \"<Scholar user id>\"}",
        "  # github: {id: \"<login>\"}",
        "",
    ]
    return "\n".join(lines)


def starter_cv(name: str, ids: dict[str, str | None]) -> str:
    """The text of an empty but valid cv.yaml for ``name``."""
    id_text = ", ".join(f"{k}: {_quote(v) if v else 'null'}" for k, v in ids.items())
    lines = [
        "# Your canonical CV record. `profilesync diff` compares it with the sources;",
        "# `profilesync push --to cv` adds what you accept. Fields profilesync does not know are kept.",
        "person:",
        f"  name: {_quote(name)}",
        "  aliases: []",
        f"  ids: {{{id_text}}}",
        "  homepage: null",
        "publications: []",
        "software: []",
        "ignore: []",
        "",
    ]
    return "\n".join(lines)
