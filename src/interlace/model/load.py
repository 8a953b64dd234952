"""Load a project folder into validated definitions, collecting every problem instead of stopping.

A project is ``interlace.toml`` plus YAML artifacts in ``apis/``, ``sequences/``, ``endpoints/``,
``stores/``, ``processors/``, ``connections/``, ``tasks/`` and ``inbound/``.
:func:`load_project` never raises for a problem in the files: it returns what it could load and the
list of :class:`ConfigError` problems, each with file:line, so ``interlace check`` can show them all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from interlace.errors import ConfigError, SourceLocation, did_you_mean
from interlace.model.api import ApiDefinition
from interlace.model.base import Definition, validate_leniently
from interlace.model.connection import ConnectionDefinition
from interlace.model.endpoint import EndpointDefinition
from interlace.model.inbound import InboundDefinition, implied_stores
from interlace.model.processor import ProcessorDefinition
from interlace.model.project import (
    CompanionDefinition,
    CoordinationDefinition,
    ProfileDefinition,
    ProjectDefinition,
    ServerDefinition,
)
from interlace.model.sequence import SequenceDefinition
from interlace.model.store import StoreDefinition
from interlace.model.task import TaskDefinition
from interlace.model.tomlsource import parse_toml, toml_line
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


def _config_location(text: str, table: str, key: str) -> SourceLocation:
    """Where ``key`` of the dotted TOML ``table`` is written in interlace.toml."""
    return SourceLocation(PROJECT_FILE, toml_line(text, (*table.split("."), key)))


def _read_source(path: Path, file: str) -> str:
    """The text of a project file; ConfigError when it cannot be read or is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read the file: {exc.strerror or exc}", location=SourceLocation(file, 1)
        ) from exc
    return decode_source(data, file)


def _keys(model: type[Definition]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def _configs_complete(data: dict[str, Any]) -> bool:
    """Whether every table of interlace.toml that may hold configuration was read: no unknown table
    (``[config]``, ``[profiles.dev.config]``) where configuration may be, misspelt, and no configs that
    are not a table."""
    profiles = data.get("profiles", {})
    tables = [data, *profiles.values()] if isinstance(profiles, dict) else [data, None]
    allowed = [_keys(ProjectDefinition), *[_keys(ProfileDefinition)] * (len(tables) - 1)]
    return all(
        isinstance(table, dict) and set(table) <= keys and isinstance(table.get("configs", {}), dict)
        for table, keys in zip(tables, allowed, strict=True)
    )


def _load_project_file(root: Path, problems: list[ConfigError]) -> tuple[ProjectDefinition | None, str, bool]:
    """The project definition (what is valid of it), its text, and whether its configs are complete."""
    path = root / PROJECT_FILE
    if not path.exists():
        problems.append(
            ConfigError(
                f"{root} is not an Interlace project: {PROJECT_FILE} is missing",
                location=SourceLocation(PROJECT_FILE, 1),
                hint="create one with `interlace new DIR`",
            )
        )
        return None, "", False
    try:
        text = _read_source(path, PROJECT_FILE)
        data = parse_toml(text, PROJECT_FILE)
    except ConfigError as exc:
        problems.append(exc)
        return None, "", False
    definition, found = validate_leniently(
        ProjectDefinition, data, PROJECT_FILE, line_for=lambda path: toml_line(text, path)
    )
    problems.extend(found)
    return definition, text, definition is not None and _configs_complete(data)


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
    definition, text, configs_complete = _load_project_file(root, problems)
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
            what, key_path = (
                ("unknown profile", ("profiles",))
                if asked
                else ("unknown default-profile", ("project", "default-profile"))
            )
            problems.append(
                ConfigError(
                    f"{what} {profile!r} (profiles: {known})",
                    location=SourceLocation(PROJECT_FILE, toml_line(text, key_path)),
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
                    line_for=lambda path: toml_line(text, ("profiles", str(profile), "server", *path)),
                )
                problems.extend(found)
                server = merged or server
    tables = {key: "configs" for key in configs}
    if definition is not None and profile is not None and profile in definition.profiles:
        tables.update({key: f"profiles.{profile}.configs" for key in definition.profiles[profile].configs})
    profile_known = definition is None or profile is None or profile in definition.profiles
    # Under an unknown profile the configuration is not the one meant: its missing variables are not news.
    env_problems = problems if profile_known else []
    configs = {
        key: _resolve_env(value, env, _config_location(text, tables[key], key), env_problems)
        for key, value in configs.items()
    }
    project = Project(root, definition, profile, server, configs, env, companions, problems=problems)
    project.configs_known = configs_complete and profile_known
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
    project.stores.extend(implied_stores(project.name, project.inbound, project.stores))
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
    table = f"profiles.{profile}.coordination" if chosen and chosen.coordination else "coordination"
    where = _config_location(text, table, "dsn")
    return coordination.model_copy(update={"dsn": _resolve_env(coordination.dsn, env, where, problems)})
