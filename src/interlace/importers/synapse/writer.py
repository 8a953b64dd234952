"""Writing a converted project to disk: interlace.toml and one YAML file per artifact."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from interlace.importers.synapse.tree import Document, ProjectTree

__all__ = ["render_document", "render_project_file", "write_project"]


def render_document(document: Document) -> str:
    """The YAML text of one document, its comments first."""
    head = "".join(f"# {line}\n" if line else "#\n" for line in document.comments)
    body = yaml.safe_dump(document.data, sort_keys=False, allow_unicode=True, width=110)
    return head + body


def _toml_string(text: str) -> str:
    # A JSON string is a TOML basic string for everything a name or URL holds.
    return json.dumps(text, ensure_ascii=False)


def render_project_file(tree: ProjectTree) -> str:
    lines = [
        "# Imported from Synapse configuration by `interlace import synapse`.",
        "[project]",
        f"name = {_toml_string(tree.name)}",
        f"version = {_toml_string(tree.version)}",
        "",
        "[server]",
        f"port = {tree.port}",
    ]
    if tree.configs:
        lines += ["", "# The addresses the endpoints call: change them here or in a profile.", "[configs]"]
        lines += [f"{key} = {_toml_string(value)}" for key, value in sorted(tree.configs.items())]
    return "\n".join(lines) + "\n"


def write_project(tree: ProjectTree, target: Path) -> list[Path]:
    """Write ``tree`` into ``target`` (created; files of the same names are replaced); the paths written."""
    target.mkdir(parents=True, exist_ok=True)
    written = [target / "interlace.toml"]
    written[0].write_text(render_project_file(tree), encoding="utf-8")
    for relative, document in sorted(tree.documents.items()):
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_document(document), encoding="utf-8")
        written.append(path)
    for relative, data in sorted(tree.files.items()):
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written
