"""The layering issue 16 asks for, checked on the source with ``ast`` (not grep).

The core (model, normalize, match, diff, cv, connectors, export, report, push, pipeline) must not
import the CLI layer (cli, app, commands, schedule), and must not print or prompt: only
``commands/`` talks to a person. A TYPE_CHECKING import counts too: it is still a dependency
a reader has to follow, and it is how the old cycles hid.
"""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "profilesync"
CORE = ("model", "normalize", "match", "diff", "cv", "connectors", "export", "report", "push", "pipeline")
EDGE = ("cli", "app", "commands", "schedule")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache  # parsed once per test run; the tests only read it
def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(encoding="utf-8"), filename=str(p)) for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(current: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = current.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """Every profilesync module ``name`` imports, anywhere in the file (functions included)."""
    is_package = (PACKAGE.parent / name.replace(".", "/") / "__init__.py").exists()
    out: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(name, is_package, node)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            # The longest known module the target names (``from pkg import mod`` imports pkg.mod).
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target.startswith("profilesync") and target != name:
                out.add(target)
    return out


@functools.cache
def graph() -> dict[str, set[str]]:
    trees = modules()
    known = set(trees)
    return {name: imports_of(name, tree, known) for name, tree in trees.items()}


def layer(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def is_core(name: str) -> bool:
    return layer(name) in CORE


def upward_imports(g: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((src, dst) for src, dsts in g.items() if is_core(src) for dst in dsts if layer(dst) in EDGE)


def _dotted(node: ast.expr) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


# Calls that talk to a person: the builtins, any stream's write/readline (sys.stdout,
# env.stderr, app.env.stdin, ...), and the App's own out()/info().
_STREAMS = ("stdout", "stderr", "stdin")


def talking_calls(trees: dict[str, ast.Module]) -> list[tuple[str, int, str]]:
    """print()/input(), stream reads and writes, and app.out()/app.info() in core modules."""
    out = []
    for name, tree in trees.items():
        if not is_core(name):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            dotted = _dotted(node.func)
            parts = dotted.split(".")
            if dotted in ("print", "input"):
                out.append((name, node.lineno, dotted))
            elif len(parts) >= 2 and parts[-2] in _STREAMS and parts[-1] in ("write", "writelines", "readline", "read", "flush") and ({"sys", "env", "app"} & set(parts)):
                # (A child process's pipe, ``process.stdin.write``, is a protocol, not a person.)
                out.append((name, node.lineno, dotted))
            elif len(parts) >= 2 and parts[-2] == "app" and parts[-1] in ("out", "info"):
                out.append((name, node.lineno, dotted))
    return out


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return sorted(found)


def package_graph(g: dict[str, set[str]]) -> dict[str, set[str]]:
    """The same graph between top-level parts (``cv``, ``diff``, ``pipeline``, ...)."""
    out: dict[str, set[str]] = defaultdict(set)
    for src, dsts in g.items():
        for dst in dsts:
            if layer(src) != layer(dst):
                out[layer(src)].add(layer(dst))
    return dict(out)


def test_the_graph_sees_imports_inside_functions_and_type_checking_blocks():
    # The check is only as good as its parser: the pipeline imports the diff engine inside a
    # function, and the report model only under TYPE_CHECKING.
    g = graph()
    assert "profilesync.diff.engine" in g["profilesync.pipeline"]
    assert "profilesync.config" in g["profilesync.pipeline"]


def test_no_core_module_imports_the_cli_layer():
    assert upward_imports(graph()) == []


def test_the_scheduler_takes_plain_inputs_not_the_cli():
    # schedule/ is driven by commands/schedule_cmd.py and status_cmd.py, never the other way round:
    # its job gets a JobContext (config, CV loader, clock, environment), not the App.
    found = sorted((src, dst) for src, dsts in graph().items() if layer(src) == "schedule" for dst in dsts if layer(dst) in ("cli", "app", "commands"))
    assert found == []


def test_no_core_module_prints_or_prompts():
    assert talking_calls(modules()) == []


def argv_readers(trees: dict[str, ast.Module]) -> list[tuple[str, int, str]]:
    """Core modules that import argparse or read ``sys.argv``: options are the CLI's to parse."""
    out = []
    for name, tree in trees.items():
        if not is_core(name):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(alias.name == "argparse" for alias in node.names):
                out.append((name, node.lineno, "import argparse"))
            elif isinstance(node, ast.ImportFrom) and node.module == "argparse":
                out.append((name, node.lineno, "from argparse import"))
            elif isinstance(node, ast.Attribute) and _dotted(node) == "sys.argv":
                out.append((name, node.lineno, "sys.argv"))
    return out


def test_no_core_module_reads_the_command_line():
    assert argv_readers(modules()) == []


def test_no_import_cycle_anywhere():
    """Issue 16: no module imports itself back through others, and no package does (counting
    imports inside functions and under TYPE_CHECKING: a cycle a reader must follow is a cycle).
    Before it: cv.document <-> its formats, init_cmd <-> orcid_init, config <-> connectors, and one
    loop through commands, connectors, pipeline, push, report and the scheduler."""
    assert cycles(graph()) == []
    assert cycles(package_graph(graph())) == []


if __name__ == "__main__":  # a report of the numbers, for the before/after note
    g = graph()
    print("modules:", len(g), "edges:", sum(len(v) for v in g.values()))
    print("upward imports (core -> cli/app/commands/schedule):", len(upward_imports(g)))
    for src, dst in upward_imports(g):
        print("  ", src, "->", dst)
    print("schedule -> cli/app/commands:", sorted((a, b) for a, ds in g.items() if layer(a) == "schedule" for b in ds if layer(b) in ("cli", "app", "commands")))
    print("argparse/sys.argv in core:", len(argv_readers(modules())))
    for item in argv_readers(modules()):
        print("  ", *item)
    print("print/input in core:", len(talking_calls(modules())))
    for item in talking_calls(modules()):
        print("  ", *item)
    found = cycles(g)
    print("module cycles (SCCs > 1):", len(found))
    for c in found:
        print("  ", len(c), " ".join(m.removeprefix("profilesync.") for m in c))
    pcycles = cycles(package_graph(g))
    print("edges into app.py:", sorted(a for a, ds in g.items() if "profilesync.app" in ds))
    print("package-level cycles:", len(pcycles))
    for c in pcycles:
        print("  ", " ".join(c))
