"""The command line: parse arguments, build the Environment and Config, run, map errors to exits.

Each subcommand lives in ``profilesync.commands.<name>`` with two functions:
``configure(parser)`` adds its arguments and ``run(args, app) -> ExitStatus`` does the work.
Modules are imported only when their command runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence

from profilesync import __version__
from profilesync.app import App
from profilesync.env import Environment
from profilesync.errors import AuthError, ExitStatus, ProfileSyncError, ReadOnlyError, SourceError, UserError
from profilesync.logsetup import configure_logging
from profilesync.report.escape import visible

# name -> one-line help. Order is the order `--help` lists them in.
COMMANDS: dict[str, str] = {
    "init": "write a starter config.yaml and cv.yaml; find your DBLP/ORCID ids by name",
    "pull": "fetch sources into the cache (cache/snapshots/)",
    "diff": "report what differs between the CV and the sources (reads the cache)",
    "review": "walk the changes and accept, reject or ignore each (interactive only)",
    "push": "apply accepted changes to the CV, or add missing works to ORCID",
    "export": "write homepage files (BibTeX, CSL-JSON, Hugo, Jekyll, LaTeX, ...) from the CV",
    "import": "read a source's own export file into a snapshot (e.g. a Scholar BibTeX/CSV export)",
    "validate": "check config.yaml and the CV against their schemas",
    "status": "show the last run, each source's freshness and failures, and the cache size",
    "schedule": "run the configured job on a timer, once, or print a cron/systemd/CI snippet",
}

COMPLETION_SHELLS = ("bash", "zsh", "tcsh")
# shtab's completers for a file and a folder argument (shtab.FILE / shtab.DIRECTORY), spelled out so
# that building the parser does not import shtab.
_FILE = {"bash": "_shtab_compgen_files", "zsh": "_files", "tcsh": "f"}
_DIRECTORY = {"bash": "_shtab_compgen_dirs", "zsh": "_files -/", "tcsh": "d"}

DESCRIPTION = """\
profilesync keeps one canonical CV record (cv.yaml) honest against DBLP, ORCID, Google Scholar
and GitHub: it pulls each source, matches every work against the CV, explains each difference,
and pushes the changes you accept into the CV, to ORCID and into homepage files.

Typical use:
  profilesync diff                     report differences from the cached snapshots (no network
                                       unless a source has never been pulled)
  profilesync pull --source dblp       refresh one source
  profilesync diff --refresh --format json --output report.json   what a scheduled job runs

Tab completion: profilesync --print-completion bash > ~/.local/share/bash-completion/completions/profilesync
(zsh: profilesync --print-completion zsh > "${fpath[1]}/_profilesync"; also tcsh).

Exit codes: 0 in sync / success, 1 differences found (diff), 2 usage, config or input error,
3 a source failed and the result is incomplete, 130 interrupted.
"""


def _parser_class(env: Environment) -> type[argparse.ArgumentParser]:
    """An ArgumentParser whose help and errors go to the injected streams, not sys.stdout."""

    class Parser(argparse.ArgumentParser):
        def _print_message(self, message: str, file=None) -> None:  # noqa: ANN001
            if message:
                (env.stderr if file is sys.stderr else env.stdout).write(message)

    return Parser


def _command_in(argv: Sequence[str], parser: argparse.ArgumentParser) -> str | None:
    """The command ``argv`` names, found as ``parser`` (its global options) will find it: the first
    word that is not an option or an option's value; None when there is none, or it is not a
    known command. A long option may be abbreviated, as argparse allows."""
    takes_value = {s for action in parser._actions for s in action.option_strings if action.nargs != 0}
    long_ones = [s for s in takes_value if s.startswith("--")]
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word == "--":
            return None
        elif word.startswith("--"):
            skip = "=" not in word and any(option.startswith(word) for option in long_ones)
        elif word.startswith("-"):
            skip = word in takes_value
        else:
            return word if word in COMMANDS else None
    return None


def build_parser(env: Environment | None = None, *, argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The CLI's parser. ``argv``: the words about to be parsed; only the command they name is
    then configured, the others are listed without their options, so their modules are not
    imported (a command's run needs its own). Without it, every command is configured."""
    parser_cls = _parser_class(env or Environment.from_system())
    parser = parser_cls(
        prog="profilesync",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"profilesync {__version__}")
    parser.add_argument("--print-completion", metavar="SHELL", choices=COMPLETION_SHELLS, help="print a tab-completion script for bash, zsh or tcsh and exit")
    config_option = parser.add_argument("--config", "-c", metavar="FILE", default=None, help="the config file (default: $PROFILESYNC_CONFIG, ./profilesync.yaml, ./config.yaml when it is a profilesync config, then $XDG_CONFIG_HOME/profilesync/config.yaml)")
    config_option.complete = _FILE  # type: ignore[attr-defined]  # read by shtab
    parser.add_argument("--cache-dir", metavar="DIR", default=None, help="override the config's cache directory").complete = _DIRECTORY  # type: ignore[attr-defined]
    parser.add_argument("--color", "--colour", dest="color", choices=("auto", "always", "never"), default="auto", help="colour in the terminal report (default auto: on a terminal, unless NO_COLOR is set; FORCE_COLOR forces it)")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-v", "--verbose", action="count", default=0, help="say more (repeat for debug output)")
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print only errors and the result")
    only = _command_in(argv, parser) if argv is not None else None
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, summary in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=summary)
            continue
        try:
            module = _command_module(name)
        except ModuleNotFoundError:
            continue  # a command whose module is not in this build is simply not offered
        command_parser = sub.add_parser(
            name,
            help=summary,
            description=getattr(module, "DESCRIPTION", summary),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.configure(command_parser)
    return parser


def _command_module(name: str):
    return importlib.import_module(f"profilesync.commands.{name.replace('-', '_')}_cmd")


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    """Run the CLI; returns the exit status instead of exiting, so tests can call it in-process."""
    env = env or Environment.from_system()
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(env, argv=words)
    try:
        args = parser.parse_args(words)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 on --help
        return int(exc.code or 0)
    if args.print_completion:
        import shtab  # only here: completion scripts are printed once, at install time

        env.stdout.write(shtab.complete(build_parser(env), shell=args.print_completion))  # every command's options
        return ExitStatus.OK
    if not args.command:
        parser.print_help(env.stdout)
        return ExitStatus.ERROR
    configure_logging(env.stderr, quiet=args.quiet, verbose=args.verbose)
    app = App(env=env, config_arg=args.config, cache_dir_arg=args.cache_dir, quiet=args.quiet, verbose=args.verbose, colour=env.colour(args.color))
    thresholds = gc.get_threshold()
    # A command builds one large graph of objects that live until it ends (records, prepared
    # forms, candidate pairs) and makes few reference cycles; at the collector's default pace (a
    # pass every 700 allocations) a 3,000-work diff ran 508 collections over that graph, about 7%
    # of its time. From 10,000 it runs 45. Collections still happen, only less often.
    gc.set_threshold(max(thresholds[0], 10_000), *thresholds[1:])
    try:
        return int(_command_module(args.command).run(args, app))
    except KeyboardInterrupt:
        env.stderr.write("interrupted\n")
        return ExitStatus.INTERRUPTED
    except UserError as exc:
        for problem in exc.problems:
            env.stderr.write(f"error: {visible(str(problem))}\n")
        return ExitStatus.ERROR
    except (AuthError, ReadOnlyError) as exc:
        env.stderr.write(f"error: {visible(str(exc))}\n")
        return ExitStatus.ERROR
    except SourceError as exc:
        env.stderr.write(f"error: {visible(str(exc))}\n")
        return ExitStatus.SOURCE_FAILED
    except ProfileSyncError as exc:
        env.stderr.write(f"error: {visible(str(exc))}\n")
        return exc.exit_status
    finally:
        gc.set_threshold(*thresholds)  # main() also runs inside tests and the scheduler

