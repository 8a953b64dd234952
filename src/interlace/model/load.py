"""Load a project folder into validated definitions, collecting every problem instead of stopping.

A project is ``interlace.toml`` plus YAML artifacts in ``apis/``, ``sequences/``, ``endpoints/``,
``stores/``, ``processors/``, ``connections/``, ``tasks/`` and ``inbound/``.
:func:`load_project` never raises for a problem in the files: it returns what it could load and the
list of :class:`ConfigError` problems, each with file:line, so ``interlace check`` can show them all.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from interlace.errors import ConfigError, SourceLocation, did_you_mean
from interlace.model.api import ApiDefinition
from interlace.model.base import Definition, validate_leniently
from interlace.model.connection import ConnectionDefinition
from interlace.model.endpoint import EndpointDefinition
from interlace.model.inbound import InboundDefinition
from interlace.model.processor import ProcessorDefinition
from interlace.model.project import (
    CompanionDefinition,
    CoordinationDefinition,
    ProjectDefinition,
    ServerDefinition,
)
from interlace.model.sequence import SequenceDefinition
from interlace.model.store import StoreDefinition
from interlace.model.task import TaskDefinition
from interlace.model.yamlsource import LineDict, decode_source, load_yaml

__all__ = ["PROJECT_FILE", "ArtifactKind", "Project", "load_project"]

PROJECT_FILE = "interlace.toml"

_D = TypeVar("_D", bound=Definition)


@dataclass(frozen=True, slots=True)
class ArtifactKind:
    """A folder of artifacts: the key that names each artifact and the definition it holds."""

    folder: str
    key: str
    model: type[Definition]


ARTIFACT_KINDS = (
    ArtifactKind("apis", "api", ApiDefinition),
    ArtifactKind("sequences", "sequence", SequenceDefinition),
    ArtifactKind("endpoints", "endpoint", EndpointDefinition),
    ArtifactKind("stores", "store", StoreDefinition),
    ArtifactKind("processors", "processor", ProcessorDefinition),
    ArtifactKind("connections", "connection", ConnectionDefinition),
    ArtifactKind("tasks", "task", TaskDefinition),
    ArtifactKind("inbound", "inbound", InboundDefinition),
)


@dataclass(slots=True)
class Project:
    """A loaded project: its definitions under the active profile, and the problems found."""

    root: Path
    definition: ProjectDefinition | None
    profile: str | None
    server: ServerDefinition
    configs: dict[str, Any]
    env: Mapping[str, str] = field(default_factory=dict)
    companions: dict[str, CompanionDefinition] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    """The profile's fallback values for ``${secret.NAME}`` (development credentials)."""
    apis: list[ApiDefinition] = field(default_factory=list)
    sequences: list[SequenceDefinition] = field(default_factory=list)
    endpoints: list[EndpointDefinition] = field(default_factory=list)
    stores: list[StoreDefinition] = field(default_factory=list)
    processors: list[ProcessorDefinition] = field(default_factory=list)
    connections: list[ConnectionDefinition] = field(default_factory=list)
    tasks: list[TaskDefinition] = field(default_factory=list)
    inbound: list[InboundDefinition] = field(default_factory=list)
    coordination: CoordinationDefinition | None = None
    """The coordination database under the active profile (``${env.X}`` resolved), or None: off."""
    problems: list[ConfigError] = field(default_factory=list)
    invalid: dict[str, set[str]] = field(default_factory=dict)
    """Names of artifacts (by kind: "sequence", "endpoint", ...) whose definitions have problems, so
    that references to them are not reported as unknown names as well."""
    configs_known: bool = True
    """False when interlace.toml or the profile asked for could not be read: ``${configs.x}`` is then
    not checked, rather than reported as unknown everywhere."""

    @property
    def name(self) -> str:
        return self.definition.project.name if self.definition else self.root.name

    @property
    def version(self) -> str:
        return self.definition.project.version if self.definition else "0.0.0"


def _toml_line(text: str, key: str) -> int:
    pattern = re.compile(
        rf"^[ \t]*(\[[^\]]*\b{re.escape(key)}\b[^\]]*\]|\"?{re.escape(key)}\"?[ \t]*=)", re.MULTILINE
    )
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _config_line(text: str, key: str, table: str) -> int:
    """The line of ``key = ...`` in the TOML ``[table]`` (``configs``, ``profiles.dev.configs``), or of
    the table's header, or of the first ``configs`` table."""
    header = re.compile(rf"^[ \t]*\[[ \t]*{re.escape(table)}[ \t]*\][ \t]*(#.*)?$", re.MULTILINE).search(text)
    if header is None:
        return _toml_line(text, "configs")
    next_header = re.compile(r"^[ \t]*\[", re.MULTILINE).search(text, header.end())
    end = next_header.start() if next_header else len(text)
    entry_pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", re.MULTILINE)
    entry = entry_pattern.search(text, header.end(), end)
    position = entry.start() if entry else header.start()
    return text.count("\n", 0, position) + 1


def _toml_path_line(text: str, path: tuple[int | str, ...]) -> int:
    keys = [part for part in path if isinstance(part, str)]
    return _toml_line(text, keys[-1]) if keys else 1


def _read_source(path: Path, file: str) -> str:
    """The text of a project file; ConfigError when it cannot be read or is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read the file: {exc.strerror or exc}", location=SourceLocation(file, 1)
        ) from exc
    return decode_source(data, file)


_TOML_DEPTH = 50
"""How deeply arrays and inline tables may nest in interlace.toml before it is refused unread."""


def _parse_toml(text: str) -> dict[str, Any]:
    """interlace.toml as data; ConfigError with the line of what is wrong."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 1
        message = re.sub(r" \(at (line \d+, column \d+|end of document)\)$", "", str(exc))
        column = f" at column {m.group(1)}" if (m := re.search(r"column (\d+)", str(exc))) else ""
        raise ConfigError(
            f"invalid TOML: {message}{column}", location=SourceLocation(PROJECT_FILE, line)
        ) from exc
    except RecursionError as exc:
        raise ConfigError(
            f"invalid TOML: arrays or inline tables nest more than {_TOML_DEPTH} levels deep",
            location=SourceLocation(PROJECT_FILE, _deepest_line(text)),
        ) from exc
    except ValueError as exc:  # an integer too long to convert
        long_number = re.search(r"\d{1000,}", text)
        line = text.count("\n", 0, long_number.start()) + 1 if long_number else 1
        raise ConfigError(f"invalid TOML: {exc}", location=SourceLocation(PROJECT_FILE, line)) from exc


def _deepest_line(text: str) -> int:
    depth = 0
    for position, character in enumerate(text):
        depth += (character in "[{") - (character in "]}")
        if depth > _TOML_DEPTH:
            return text.count("\n", 0, position) + 1
    return 1


def _load_project_file(root: Path, problems: list[ConfigError]) -> tuple[ProjectDefinition | None, str]:
    path = root / PROJECT_FILE
    if not path.exists():
        problems.append(
            ConfigError(
                f"{root} is not an Interlace project: {PROJECT_FILE} is missing",
                location=SourceLocation(PROJECT_FILE, 1),
                hint="create one with `interlace new DIR`",
            )
        )
        return None, ""
    try:
        text = _read_source(path, PROJECT_FILE)
        data = _parse_toml(text)
    except ConfigError as exc:
        problems.append(exc)
        return None, ""
    definition, found = validate_leniently(
        ProjectDefinition, data, PROJECT_FILE, line_for=lambda path: _toml_path_line(text, path)
    )
    problems.extend(found)
    return definition, text


def _resolve_env(
    value: Any, env: Mapping[str, str], where: SourceLocation, problems: list[ConfigError]
) -> Any:
    """``${env.X}`` and ``${env.X:-default}`` inside configuration strings."""
    if isinstance(value, dict):
        return {key: _resolve_env(item, env, where, problems) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve_env(item, env, where, problems) for item in value]
    if not isinstance(value, str) or "${env." not in value:
        return value

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        problems.append(
            ConfigError(
                f"environment variable {name} is not set",
                location=where,
                hint=f"export {name}=... or give a default: ${{env.{name}:-value}}",
            )
        )
        return ""

    return re.sub(r"\$\{env\.(\w+)(?::-([^}]*))?\}", substitute, value)


def _load_artifacts(
    root: Path,
    kind: ArtifactKind,
    model: type[_D],
    problems: list[ConfigError],
    invalid: set[str] | None = None,
) -> list[_D]:
    folder = root / kind.folder
    if not folder.is_dir():
        return []
    loaded: list[_D] = []
    seen: dict[str, SourceLocation] = {}
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        file = path.relative_to(root).as_posix()
        try:
            tree = load_yaml(_read_source(path, file), file)
        except ConfigError as exc:
            problems.append(exc)
            if invalid is not None:  # what the file seems to name is not reported as unknown elsewhere
                invalid.update(_declared_names(path, kind.key))
            continue
        if not isinstance(tree, LineDict) or kind.key not in tree:
            problems.append(
                ConfigError(
                    f"a file in {kind.folder}/ must be a mapping whose {kind.key!r} key names the {kind.key}",
                    location=SourceLocation(file, getattr(tree, "line", 1) or 1),
                )
            )
            continue
        definition, found = validate_leniently(model, tree, file)
        problems.extend(found)
        if definition is None:
            if invalid is not None and isinstance(tree[kind.key], str):
                invalid.add(tree[kind.key])
            continue
        name = str(tree[kind.key])
        if name in seen:
            problems.append(
                ConfigError(
                    f"duplicate {kind.key} name {name!r} (also defined at {seen[name]})",
                    location=definition.location_of(kind.key),
                )
            )
            continue
        seen[name] = definition.location_of(kind.key)
        loaded.append(definition)
    return loaded


def _declared_names(path: Path, key: str) -> set[str]:
    """The names a file that cannot be parsed seems to give (``sequence: Name`` at the start of a line)."""
    try:
        text = path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return set()
    pattern = rf"^{re.escape(key)}[ \t]*:[ \t]*[\"']?([A-Za-z_][A-Za-z0-9_.-]*)"
    return set(re.findall(pattern, text, re.MULTILINE))


def load_project(
    root: Path | str, profile: str | None = None, env: Mapping[str, str] | None = None
) -> Project:
    """Load ``root`` under ``profile``; problems are collected in ``Project.problems``."""
    root = Path(root)
    env = os.environ if env is None else env
    problems: list[ConfigError] = []
    definition, text = _load_project_file(root, problems)
    server = definition.server if definition else ServerDefinition()
    configs: dict[str, Any] = dict(definition.configs) if definition else {}
    companions: dict[str, CompanionDefinition] = {}
    secrets: dict[str, str] = {}
    asked = profile
    if definition is not None and profile is None:
        profile = definition.project.default_profile
    if definition is not None and profile is not None:
        chosen = definition.profiles.get(profile)
        if chosen is None:
            known = ", ".join(sorted(definition.profiles)) or "none defined"
            what, key = (
                ("unknown profile", "profiles") if asked else ("unknown default-profile", "default-profile")
            )
            problems.append(
                ConfigError(
                    f"{what} {profile!r} (profiles: {known})",
                    location=SourceLocation(PROJECT_FILE, _toml_line(text, key)),
                    hint=did_you_mean(profile, definition.profiles),
                )
            )
        else:
            configs.update(chosen.configs)
            companions = dict(chosen.companions)
            secrets = dict(chosen.secrets)
            if chosen.server:
                merged, found = validate_leniently(
                    ServerDefinition,
                    {**server.model_dump(), **chosen.server},
                    PROJECT_FILE,
                    line_for=lambda path: _toml_path_line(text, ("server", *path)),
                )
                problems.extend(found)
                server = merged or server
    tables = {key: "configs" for key in configs}
    if definition is not None and profile is not None and profile in definition.profiles:
        tables.update({key: f"profiles.{profile}.configs" for key in definition.profiles[profile].configs})
    configs = {
        key: _resolve_env(
            value, env, SourceLocation(PROJECT_FILE, _config_line(text, key, tables[key])), problems
        )
        for key, value in configs.items()
    }
    project = Project(root, definition, profile, server, configs, env, companions, problems=problems)
    project.configs_known = definition is not None and (profile is None or profile in definition.profiles)
    project.secrets = secrets
    project.apis = _load_artifacts(root, ARTIFACT_KINDS[0], ApiDefinition, problems)
    invalid = project.invalid
    project.sequences = _load_artifacts(
        root, ARTIFACT_KINDS[1], SequenceDefinition, problems, invalid.setdefault("sequence", set())
    )
    project.endpoints = _load_artifacts(
        root, ARTIFACT_KINDS[2], EndpointDefinition, problems, invalid.setdefault("endpoint", set())
    )
    project.stores = _load_artifacts(
        root, ARTIFACT_KINDS[3], StoreDefinition, problems, invalid.setdefault("store", set())
    )
    project.processors = _load_artifacts(root, ARTIFACT_KINDS[4], ProcessorDefinition, problems)
    project.connections = _load_artifacts(
        root, ARTIFACT_KINDS[5], ConnectionDefinition, problems, invalid.setdefault("connection", set())
    )
    project.tasks = _load_artifacts(root, ARTIFACT_KINDS[6], TaskDefinition, problems)
    project.inbound = _load_artifacts(root, ARTIFACT_KINDS[7], InboundDefinition, problems)
    project.coordination = _coordination(definition, profile, env, text, problems)
    return project


def _coordination(
    definition: ProjectDefinition | None,
    profile: str | None,
    env: Mapping[str, str],
    text: str,
    problems: list[ConfigError],
) -> CoordinationDefinition | None:
    if definition is None:
        return None
    chosen = definition.profiles.get(profile) if profile is not None else None
    coordination = (chosen.coordination if chosen else None) or definition.coordination
    if coordination is None:
        return None
    where = SourceLocation(PROJECT_FILE, _toml_line(text, "coordination"))
    return coordination.model_copy(update={"dsn": _resolve_env(coordination.dsn, env, where, problems)})
