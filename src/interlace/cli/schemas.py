"""``interlace schema``: write the JSON Schema of every project file kind, and point editors at them.

The schemas go to ``PROJECT/.interlace/schemas/`` (beside the runtime's other local state: they depend on
the connectors installed here, so each machine writes its own). VS Code's YAML extension reads
``.vscode/settings.json``'s ``yaml.schemas`` (schema file -> the globs it applies to); the entries for the
project's folders are merged into that file, keeping every other setting. A settings file that is not
plain JSON (VS Code allows comments) is left alone, and the entries to add are returned instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interlace.compiler.schema import SCHEMA_KINDS, project_schemas, schema_file_name
from interlace.sdk import Connector, ConnectorRegistry, RegistryError

__all__ = ["SCHEMA_FOLDER", "SchemasWritten", "write_schemas"]

SCHEMA_FOLDER = Path(".interlace") / "schemas"


@dataclass(slots=True)
class SchemasWritten:
    """What :func:`write_schemas` did: the schema files, the settings file (None: left alone) and, when
    it was left alone, the ``yaml.schemas`` entries to add by hand; connectors that could not be read."""

    files: list[Path] = field(default_factory=list)
    settings: Path | None = None
    entries: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _installed_connectors(registry: ConnectorRegistry) -> tuple[list[Connector], list[str]]:
    try:
        return [entry.connector for entry in registry.entries()], []
    except RegistryError as exc:  # the schemas are still useful without the operations
        return [], [f"connector operations left out: {exc}"]


def _merge_settings(path: Path, entries: dict[str, list[str]]) -> bool:
    """Add ``entries`` to the ``yaml.schemas`` of the settings file at ``path``; False if it is not plain
    JSON (it is then left as it was)."""
    settings: Any = {}
    if path.exists():
        try:
            settings = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            return False
        if not isinstance(settings, dict) or not isinstance(settings.get("yaml.schemas", {}), dict):
            return False
    settings["yaml.schemas"] = {**settings.get("yaml.schemas", {}), **entries}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return True


def write_schemas(
    project: Path,
    output: Path | None = None,
    *,
    editor: bool = True,
    registry: ConnectorRegistry | None = None,
) -> SchemasWritten:
    """Write one ``KIND.schema.json`` per project file kind into ``output`` (default:
    ``PROJECT/.interlace/schemas``) and, with ``editor``, wire them into ``PROJECT/.vscode/settings.json``.
    OSError if a file cannot be written."""
    written = SchemasWritten()
    connectors, written.problems = _installed_connectors(registry or ConnectorRegistry())
    folder = output if output is not None else project / SCHEMA_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for kind, document in project_schemas(connectors).items():
        path = folder / schema_file_name(kind)
        path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        written.files.append(path)
    if not editor:
        return written
    settings = project / ".vscode" / "settings.json"
    try:
        shown = "./" + folder.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:  # outside the project: an absolute path works from anywhere
        shown = folder.resolve().as_posix()
    # `**/`: the project may be a folder inside the editor's workspace.
    entries = {
        f"{shown}/{schema_file_name(kind.name)}": [f"**/{glob}" for glob in kind.globs]
        for kind in SCHEMA_KINDS
    }
    if _merge_settings(settings, entries):
        written.settings = settings
    else:
        written.entries = entries
    return written
