"""Write a generated CV in the three forms researchers keep: YAML indented the ruamel way
(list items indented under their key), YAML in PyYAML's default style (list items flush with
their key), and a DBLP-style BibTeX file (keys such as ``DBLP:conf/sigmod/SmithJ21``)."""

from __future__ import annotations

import io
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from profilesync.export.common import latex_escape

try:
    from generate import Case
except ImportError:  # pragma: no cover
    from .generate import Case

VARIANTS = ("yaml", "yaml-pyyaml", "bib")


def cv_data(case: Case, variant: str) -> dict[str, Any]:
    pubs = []
    for entry in case.entries:
        f = entry.fields
        pub: dict[str, Any] = {
            "key": entry.key(variant),
            "title": f["title"],
            "authors": list(f["authors"]),
            "venue": f["venue"],
            "year": f["year"],
            "type": f["type"],
            "status": f["status"],
        }
        if f.get("pages"):
            pub["pages"] = f["pages"]
        pub["ids"] = dict(f.get("ids") or {})
        pubs.append(pub)
    return {"person": {"name": case.name, "ids": {"dblp": case.pid}}, "publications": pubs}


def write_yaml_ruamel(data: dict[str, Any]) -> str:
    y = YAML()
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    root = CommentedMap()
    root["person"] = data["person"]
    pubs = CommentedSeq()
    for pub in data["publications"]:
        item = CommentedMap(pub)
        authors = CommentedSeq(pub["authors"])
        authors.fa.set_flow_style()
        item["authors"] = authors
        ids = CommentedMap(pub["ids"])
        ids.fa.set_flow_style()
        item["ids"] = ids
        pubs.append(item)
    root["publications"] = pubs
    out = io.StringIO()
    y.dump(root, out)
    return out.getvalue()


def write_yaml_pyyaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096)


_BIB_TYPES = {
    "conference": "inproceedings",
    "journal": "article",
    "preprint": "article",
    "chapter": "incollection",
    "book": "proceedings",
    "thesis": "phdthesis",
}


def write_bib(case: Case) -> str:
    """DBLP's BibTeX export style: aligned fields, ``--`` page ranges, biburl naming the record."""
    out = []
    for entry in case.entries:
        f = entry.fields
        kind = _BIB_TYPES.get(f["type"], "misc")
        venue_field = {
            "inproceedings": "booktitle",
            "article": "journal",
            "incollection": "booktitle",
            "phdthesis": "school",
        }.get(kind, "publisher")
        lines = []
        if f["authors"]:
            names = " and\n                  ".join(latex_escape(a, for_bibtex=True) for a in f["authors"])
            lines.append(("author", names))
        lines.append(("title", latex_escape(f["title"], for_bibtex=True)))
        if f.get("venue"):
            lines.append((venue_field, latex_escape(f["venue"], for_bibtex=True)))
        ids = f.get("ids") or {}
        if f["type"] == "preprint" and ids.get("arxiv"):
            lines.append(("volume", "abs/" + ids["arxiv"]))
        if f.get("pages"):
            lines.append(("pages", f["pages"].replace("-", "--")))
        if f.get("year"):
            lines.append(("year", str(f["year"])))
        if ids.get("doi"):
            lines.append(("doi", ids["doi"]))
        if ids.get("arxiv"):
            lines.extend([("eprinttype", "arXiv"), ("eprint", ids["arxiv"])])
        if entry.dblp_key:
            lines.append(("biburl", f"https://dblp.org/rec/{entry.dblp_key}.bib"))
            lines.append(("bibsource", "dblp computer science bibliography, https://dblp.org"))
        body = ",\n".join(f"  {name:<12} = {{{value}}}" for name, value in lines)
        out.append(f"@{kind}{{{entry.key('bib')},\n{body}\n}}\n")
    return "\n".join(out)


def write_cv(case: Case, variant: str) -> tuple[str, str]:
    """(file name, text) of the CV in ``variant``."""
    if variant == "bib":
        return "cv.bib", write_bib(case)
    data = cv_data(case, variant)
    if variant == "yaml":
        return "cv.yaml", write_yaml_ruamel(data)
    if variant == "yaml-pyyaml":
        return "cv.yaml", write_yaml_pyyaml(data)
    raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(VARIANTS)}")
