"""YAML front matter for static-site pages (Hugo, Jekyll), written by ruamel.yaml."""

from __future__ import annotations

import io
from collections.abc import Mapping
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _dumper():
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096  # never fold a long title over two lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def html_inert(text: str) -> str:
    """``text`` with ``<`` and ``>`` as entities (themes print front matter values into HTML as
    they are), and Liquid/Hugo template openers ``{{`` and ``{%`` broken up (see ``liquid_inert``).
    ``&`` is left alone: it does no harm in HTML and "R&D" stays readable in every other use."""
    return liquid_inert(text.replace("<", "&lt;").replace(">", "&gt;"))


def liquid_inert(text: str) -> str:
    """``{{`` and ``{%`` written as ``&#123;{`` and ``&#123;%``: Jekyll does not render front
    matter, but plugins and themes that pass a value through Liquid again (``| liquify``) would
    run it. The entity shows as "{" in any HTML page."""
    return text.replace("{{", "&#123;{").replace("{%", "&#123;%")


def front_matter_page(data: Mapping[str, Any], body: str) -> str:
    """``---``, the YAML of ``data`` (in its key order), ``---``, then ``body``."""
    stream = io.StringIO()
    _dumper().dump(dict(data), stream)
    text = "---\n" + stream.getvalue() + "---\n"
    if body:
        text += "\n" + body.rstrip("\n") + "\n"
    return text
