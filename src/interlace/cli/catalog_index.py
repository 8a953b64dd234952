"""The catalog index: the connector store's list of connectors, their versions, the Interlace versions
each supports and the checksum of each version's package file (docs/connectors/catalog.md).

The index is read from a file or an http(s) URL and checked whole; a problem names the index and where
in it (``connectors[2].versions[0].sha256``). The built-in connectors are in the index Interlace ships,
which every configured index is laid over (an entry of the configured index replaces the shipped one of
the same name).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from interlace.errors import ConfigError
from interlace.model.project import ConnectorsDefinition
from interlace.sdk.openapi.source import read_location

__all__ = [
    "BUILT_IN_PACKAGE",
    "INDEX_ENV",
    "CatalogEntry",
    "CatalogError",
    "CatalogIndex",
    "CatalogVersion",
    "choose_version",
    "index_location",
    "interlace_version",
    "read_catalog",
    "read_index",
    "shipped_index",
]

BUILT_IN_PACKAGE = "interlace"
INDEX_ENV = "INTERLACE_CONNECTOR_INDEX"
_SHIPPED = "catalog.json"
_FETCH_TIMEOUT = 30.0
_LARGEST = 16 * 1024 * 1024


class CatalogError(Exception):
    """The index cannot be read or used, or asks for something this installation cannot do."""


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        use_attribute_docstrings=True,
    )


class CatalogVersion(_Model):
    """One published version of a connector package."""

    version: str
    """The package's version (PEP 440), as `pip install PACKAGE==VERSION` names it."""

    interlace: str = ""
    """The Interlace versions it works with, as a version specifier (`>=0.1,<0.3`); any if empty."""

    sha256: Annotated[str | None, Field(pattern=r"^[0-9a-f]{64}$")] = None
    """The SHA-256 of the package file (the wheel), in lowercase hexadecimal; required except for
    built-in connectors, which come with Interlace."""

    @field_validator("version")
    @classmethod
    def _pep_440(cls, value: str) -> str:
        try:
            Version(value)
        except InvalidVersion:
            raise ValueError(f"{value!r} is not a version (PEP 440, such as 1.2.0)") from None
        return value

    @field_validator("interlace")
    @classmethod
    def _specifier(cls, value: str) -> str:
        try:
            SpecifierSet(value)
        except InvalidSpecifier:
            raise ValueError(f"{value!r} is not a version specifier (such as >=0.1,<0.3)") from None
        return value

    def supports(self, interlace: str) -> bool:
        """Whether this version works with Interlace ``interlace``."""
        return SpecifierSet(self.interlace).contains(interlace, prereleases=True)


class CatalogEntry(_Model):
    """A connector: what flows call it, the package that provides it, and its versions."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    """The connector's name in flows (`redis` in `redis.push`)."""

    package: Annotated[str, Field(min_length=1)]
    """The Python package (distribution) that provides it; `interlace` for a built-in connector."""

    description: str = ""
    """What it connects to and does."""

    keywords: list[str] = []
    """Words `interlace connector search` also matches."""

    operations: list[str] = []
    """Its operations' names."""

    triggers: list[str] = []
    """Its triggers' names."""

    versions: Annotated[list[CatalogVersion], Field(min_length=1)]
    """Its published versions, any order."""

    @property
    def built_in(self) -> bool:
        return self.package == BUILT_IN_PACKAGE

    @model_validator(mode="after")
    def _checksums(self) -> CatalogEntry:
        if not self.built_in:
            for version in self.versions:
                if version.sha256 is None:
                    raise ValueError(
                        f"version {version.version} has no sha256: the package file's checksum is required"
                    )
        return self


class CatalogIndex(_Model):
    """The whole index file."""

    format: Literal[1] = 1
    """The index format's version."""

    about: str = ""
    """What this index is."""

    connectors: list[CatalogEntry]
    """The connectors, each name once."""

    @model_validator(mode="after")
    def _unique_names(self) -> CatalogIndex:
        seen: set[str] = set()
        for position, entry in enumerate(self.connectors):
            if entry.name in seen:
                raise ValueError(f"connectors[{position}]: connector {entry.name!r} is listed twice")
            seen.add(entry.name)
        return self


def _where(location: tuple[int | str, ...], document: object) -> str:
    """``connectors[2] (acme).versions[0].sha256``: the path of a problem, each listed connector named."""
    parts: list[str] = []
    node: object = document
    for step in location:
        parts.append(f"[{step}]" if isinstance(step, int) else f".{step}" if parts else str(step))
        if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                parts.append(f" ({node['name']})")
        elif isinstance(node, dict) and step in node:
            node = node[step]
        else:
            node = None
    return "".join(parts) or "the document"


def parse_index(text: str | bytes, source: str) -> CatalogIndex:
    """The index in ``text``; :class:`CatalogError` naming ``source`` and where in it a problem is."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(f"catalog index {source}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
    try:
        return CatalogIndex.model_validate(document)
    except ValidationError as exc:
        problems = [f"{_where(tuple(error['loc']), document)}: {error['msg']}" for error in exc.errors()]
        raise CatalogError(f"catalog index {source} is not valid: " + "; ".join(problems)) from None


def read_index(location: str) -> CatalogIndex:
    """The index at ``location``: a file path, a ``file:`` URL or an http(s) URL."""
    try:
        text = read_location(
            location,
            f"the catalog index {location}",
            accept="application/json",
            limit=_LARGEST,
            timeout=_FETCH_TIMEOUT,
        )
    except ConfigError as exc:
        raise CatalogError(exc.message) from None
    return parse_index(text, location)


def shipped_index() -> CatalogIndex:
    """The index Interlace ships: its built-in connectors."""
    text = resources.files("interlace.cli").joinpath(_SHIPPED).read_bytes()
    return parse_index(text, f"interlace/cli/{_SHIPPED}")


def read_catalog(location: str | None) -> dict[str, CatalogEntry]:
    """The catalog by connector name: the shipped index with the one at ``location`` laid over it."""
    entries = {entry.name: entry for entry in shipped_index().connectors}
    if location is not None:
        entries.update((entry.name, entry) for entry in read_index(location).connectors)
    return dict(sorted(entries.items()))


def index_location(
    given: str | None, env: Mapping[str, str] | None = None, project: Path = Path()
) -> str | None:
    """Where the index is: ``--index``, else ``$INTERLACE_CONNECTOR_INDEX``, else `index` of the
    `[connectors]` table of the ``interlace.toml`` in ``project`` (a relative path there is relative to
    the project's folder), else none (the shipped index alone)."""
    if given:
        return given
    variables = os.environ if env is None else env
    if variables.get(INDEX_ENV):
        return variables[INDEX_ENV]
    settings = project / "interlace.toml"
    if not settings.is_file():
        return None
    try:
        table = tomllib.loads(settings.read_text(encoding="utf-8")).get("connectors", {})
        index = ConnectorsDefinition.model_validate(table).index
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{settings} cannot be read ({exc})") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors())
        raise CatalogError(f"{settings}: [connectors] {problems}") from None
    if index is None:
        return None
    if index.startswith(("http://", "https://", "file://")) or Path(index).is_absolute():
        return index
    return str(project / index)


def interlace_version() -> str:
    """The version of the Interlace installed in this environment."""
    from importlib.metadata import version

    return version(BUILT_IN_PACKAGE)


def _listing(entry: CatalogEntry) -> str:
    ordered = sorted(entry.versions, key=lambda item: Version(item.version))
    return ", ".join(f"{item.version} (Interlace {item.interlace or 'any'})" for item in ordered)


def choose_version(entry: CatalogEntry, wanted: str | None, interlace: str) -> CatalogVersion:
    """The version to install: ``wanted``, or the newest that supports Interlace ``interlace``.
    :class:`CatalogError` naming the versions when there is none or ``wanted`` does not fit."""
    if wanted is not None:
        chosen = next((item for item in entry.versions if Version(item.version) == Version(wanted)), None)
        if chosen is None:
            raise CatalogError(f"{entry.name} has no version {wanted} in the index; it has {_listing(entry)}")
        if not chosen.supports(interlace):
            raise CatalogError(
                f"{entry.name} {chosen.version} needs Interlace {chosen.interlace}, and this is Interlace"
                f" {interlace}; the index has {_listing(entry)}"
            )
        return chosen
    fitting = [item for item in entry.versions if item.supports(interlace)]
    if not fitting:
        raise CatalogError(
            f"no version of {entry.name} supports Interlace {interlace}; the index has {_listing(entry)}"
        )
    return max(fitting, key=lambda item: Version(item.version))
