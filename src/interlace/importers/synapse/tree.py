"""The converted project in memory: interlace.toml's content and the YAML documents by path.

The converter builds a :class:`ProjectTree`; :mod:`.writer` puts it on disk. Keeping the two apart lets
a Synapse folder or CApp be run directly, converted in memory, without writing a project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Document", "ProjectTree"]


@dataclass(slots=True)
class Document:
    """One YAML file: its data and the comment lines written above it."""

    data: dict[str, Any]
    comments: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ProjectTree:
    """A project not yet written: its name, version, configs and documents (``apis/X.yaml`` -> Document)."""

    name: str
    version: str = "1.0.0"
    port: int = 8290
    configs: dict[str, str] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    """Other files the documents refer to (JSON Schemas, stylesheets), by path in the project."""

    def add(self, folder: str, name: str, document: Document) -> str:
        """Keep ``document`` as ``folder/name.yaml`` (a number is added to a name already taken)."""
        stem = "".join(c if c.isalnum() or c in "-_." else "-" for c in name) or "artifact"
        path, number = f"{folder}/{stem}.yaml", 2
        while path in self.documents:
            path, number = f"{folder}/{stem}-{number}.yaml", number + 1
        self.documents[path] = document
        return path
