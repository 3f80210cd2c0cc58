"""BibTeX titles keep their case under every style (issue 15.4): acronyms and mixed-case names are
braced as DBLP braces them, the writer's own braces protect instead of printing, and al-folio's
``abbr`` badge gets a short venue. Checked with the real consumers: bibtexparser, pybtex's plain
style (which lower-cases titles), and the round trip."""

from __future__ import annotations

import bibtexparser
import pytest

from profilesync.cv.record import record_from_data
from profilesync.export import ExportFormat, render
from profilesync.export.bibtex import badge_venue, protected_title
from profilesync.model import Work


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Transparent GPU Sharing in Container Clouds", "Transparent {GPU} Sharing in Container Clouds"),
        ("FastServe: Iteration-Level Preemptive Scheduling", "{FastServe:} Iteration-Level Preemptive Scheduling"),
        ("Winograd Convolution on ARM Many-Core Processors", "Winograd Convolution on {ARM} Many-Core Processors"),
        ("dLoRA: Dynamically Orchestrating Requests", "{dLoRA:} Dynamically Orchestrating Requests"),
        ("k-NN Search with GPU-based Indexes", "{k-NN} Search with {GPU-based} Indexes"),
        ("{BERT}: Pre-training of Deep Bidirectional Transformers", "{BERT}: Pre-training of Deep Bidirectional Transformers"),
        ("Bayesian Inference in Zürich", 'Bayesian Inference in Z{\\"u}rich'),  # proper nouns: left to the style, as DBLP does
        ("Unbalanced } brace", "Unbalanced {\\textbraceright} brace"),  # not the writer's protection: escaped
    ],
)
def test_protected_title(title, expected):
    assert protected_title(title) == expected


def test_plain_style_keeps_acronyms_and_user_braces(tmp_path):
    """pybtex's plain style sentence-cases titles, as BibTeX's plain.bst does."""
    pybtex = pytest.importorskip("pybtex.database")
    from pybtex.style.formatting.plain import Style

    data = {
        "person": {"name": "Ada Lovelace"},
        "publications": [
            {"key": "a", "title": "FastServe: Scheduling for LLM Inference on GPU Clusters", "authors": ["Ada Lovelace"], "venue": "NSDI", "year": 2024, "type": "conference"},
            {"key": "b", "title": "{BERT} Meets {Fastserve}", "authors": ["Ada Lovelace"], "venue": "ACL", "year": 2023, "type": "conference"},
        ],
    }
    text = render(record_from_data(tmp_path / "cv.yaml", data), ExportFormat.BIBTEX).text
    assert not bibtexparser.parse_string(text).failed_blocks
    entries = pybtex.parse_string(text, "bibtex").entries
    rendered = {entry.key: entry.text.render_as("text") for entry in Style().format_entries(entries.values())}
    # The style lower-cases the rest of the title; the braced words keep their case.
    assert "FastServe:" in rendered["a"] and "for LLM inference on GPU clusters" in rendered["a"]
    assert "BERT meets Fastserve" in rendered["b"]  # the writer's braces protect, and print no braces
    assert "{" not in rendered["b"]


@pytest.mark.parametrize(
    ("acronym", "venue", "badge"),
    [
        ("NSDI", "USENIX Symposium on Networked Systems Design and Implementation", "NSDI"),
        (None, "SIGMOD Conference", "SIGMOD"),
        (None, "VLDB J.", "VLDB J."),
        (None, "Proceedings of the VLDB Endowment", None),  # a full name is no badge
        ("EuroSys '24", None, "EuroSys"),  # al-folio prints the year itself
        (None, "NSDI 2023", "NSDI"),
        (None, None, None),
    ],
)
def test_badge_venue_is_short(acronym, venue, badge):
    assert badge_venue(Work(title="t", venue=venue, venue_acronym=acronym)) == badge
