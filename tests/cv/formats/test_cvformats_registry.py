"""The CV format registry (``cv.formats``) and the layering it exists for.

``cv/`` reads and writes CV files; deciding what to change (``diff/``, ``match/``), applying
changes (``push/``) and rendering the CV (``export/``, ``report/``) sit above it. These tests read the import statements of the source (``ast``),
so a new upward import or a cycle among the CV modules fails here, not in a review.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from profilesync.config import CvFormat
from profilesync.cv.formats import FORMATS, CvDocument, document_class, load_record, open_document
from profilesync.errors import UserError

SRC = Path(__file__).resolve().parents[3] / "src"
CV = SRC / "profilesync" / "cv"
PUBLISH = Path(__file__).parents[2] / "fixtures" / "publish"
# What cv/ may never import: the layers that decide about, act on or render a CV, and the front end.
ABOVE_CV = (
    "profilesync.diff",
    "profilesync.match",
    "profilesync.push",
    "profilesync.export",
    "profilesync.report",
    "profilesync.pipeline",
    "profilesync.commands",
    "profilesync.app",
    "profilesync.cli",
    "profilesync.schedule",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in the file (functions and TYPE_CHECKING blocks too);
    ``from a import b`` counts as ``a.b`` and ``a``."""
    found: set[str] = set()
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _cv_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in CV.rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


@pytest.mark.slow
def test_cv_imports_nothing_above_it():
    offenders = sorted(
        f"{_module_name(path)} imports {target}"
        for path in CV.rglob("*.py")
        for target in _imports(path)
        if any(target == layer or target.startswith(layer + ".") or target.startswith(layer + "_") for layer in ABOVE_CV)
    )
    assert offenders == []


def test_applying_and_pushing_to_the_cv_stay_below_the_front_end():
    front = ("profilesync.commands", "profilesync.app", "profilesync.cli", "profilesync.schedule")
    paths = sorted((SRC / "profilesync" / "push").glob("cv_*.py"))
    assert [p.name for p in paths] == ["cv_apply.py", "cv_push.py"]
    offenders = sorted(
        f"{_module_name(path)} imports {target}"
        for path in paths
        for target in _imports(path)
        if any(target == layer or target.startswith(layer + ".") or target.startswith(layer + "_") for layer in front)
    )
    assert offenders == []


def test_no_import_cycle_among_cv_modules():
    graph = _cv_graph()
    cycles = []

    def walk(node: str, trail: list[str]) -> None:
        for target in sorted(graph[node]):
            if target in trail:
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            else:
                walk(target, [*trail, target])

    for start in sorted(graph):
        walk(start, [start])
    assert cycles == []


def test_the_base_and_the_registry_import_no_format():
    graph = _cv_graph()
    formats = {"profilesync.cv.formats." + name for name in ("yaml", "bibtex", "rendercv", "jsonresume")}
    assert graph["profilesync.cv.formats.base"] & formats == set()
    assert graph["profilesync.cv.formats"] & formats == set()  # named by dotted path, imported on use


def test_every_format_has_one_class_that_declares_it():
    assert set(FORMATS) == set(CvFormat)
    for fmt in CvFormat:
        cls = document_class(fmt)
        assert issubclass(cls, CvDocument)
        assert cls.format is fmt


@pytest.mark.parametrize(
    ("fmt", "name"),
    [(CvFormat.PROFILESYNC, "cv.yaml"), (CvFormat.BIBTEX, "papers.bib"), (CvFormat.RENDERCV, "rendercv_CV.yaml"), (CvFormat.JSONRESUME, "resume.json")],
)
def test_the_registry_reads_and_opens_each_format_with_the_same_keys(fmt: CvFormat, name: str):
    path = PUBLISH / name
    record = load_record(path, fmt, person_name="Zili Zhang", aliases=("Z. Zhang",))
    document = open_document(path, fmt, person_name="Zili Zhang", aliases=("Z. Zhang",))
    assert type(document) is document_class(fmt)
    assert [w.key for w in record.works] == [p["key"] for p in document.publications()]
    assert len(record.works) >= 2
    assert document.render() == path.read_text(encoding="utf-8")  # nothing edited, the same text


@pytest.mark.parametrize("fmt", list(CvFormat))
def test_a_missing_file_is_the_same_message_in_every_format(fmt: CvFormat, tmp_path: Path):
    with pytest.raises(UserError) as caught:
        open_document(tmp_path / "nowhere.txt", fmt, "my-cv")
    [problem] = caught.value.problems
    assert (problem.file, problem.what, problem.fix) == ("my-cv", "file not found", "check cv.path in config.yaml")


def test_the_registry_loads_no_format_library_until_a_format_is_used():
    code = (
        "import sys\n"
        "from profilesync.cv.formats import FORMATS, CvDocument\n"
        "from profilesync.cv.load import load_cv_for\n"
        "print(sorted(m for m in sys.modules if m.startswith(('bibtexparser', 'pylatexenc', 'ruamel', 'profilesync.cv.formats.'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(SRC)})
    assert out.stdout.split() == ["['profilesync.cv.formats.base',", "'profilesync.cv.formats.textpatch']"]
