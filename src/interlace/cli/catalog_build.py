"""Building the catalog index from the installed connector packages' metadata
(``interlace connector index build``): each connector's name, package, operations and triggers from its
code, the version and the Interlace versions it supports from the package's metadata, the checksum from
its package file. Versions and keywords of an earlier index are kept, so an index grows release by
release."""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from interlace.cli.catalog_index import (
    BUILT_IN_PACKAGE,
    CatalogEntry,
    CatalogError,
    CatalogIndex,
    CatalogVersion,
    interlace_version,
)
from interlace.cli.catalog_install import file_sha256
from interlace.sdk import ConnectorRegistry, RegisteredConnector

__all__ = ["ABOUT", "build_index"]

ABOUT = (
    "Connectors Interlace knows of: the built-in ones and installable packages, with their versions and the"
    " Interlace versions each supports. `interlace connector search WORD` searches it and the installed"
    " connectors; `interlace connector add NAME` installs from it."
)


def _interlace_specifier(package: str) -> str:
    for line in importlib.metadata.requires(package) or []:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) == BUILT_IN_PACKAGE and requirement.marker is None:
            return str(requirement.specifier)
    return ""


def _keywords(package: str) -> list[str]:
    text = ",".join(importlib.metadata.metadata(package).get_all("Keywords") or [])
    return [word for word in (part.strip() for part in re.split(r"[,\s]+", text)) if word]


def _package_file(folder: Path, package: str, version: str) -> Path:
    stem = re.sub(r"[-_.]+", "_", package).lower()
    for candidate in sorted(folder.iterdir()):
        name = candidate.name.lower()
        if name.startswith(f"{stem}-{version.lower()}-") and name.endswith(".whl"):
            return candidate
        if name == f"{stem}-{version.lower()}.tar.gz":
            return candidate
    raise CatalogError(f"no package file of {package} {version} in {folder} (a wheel or an sdist)")


def _entry(
    registered: RegisteredConnector, previous: CatalogEntry | None, files: Path | None
) -> CatalogEntry:
    connector, package = registered.connector, registered.distribution
    built_in = package == BUILT_IN_PACKAGE
    if built_in:
        current = CatalogVersion(version=connector.version, interlace=f"=={interlace_version()}")
    else:
        version = importlib.metadata.version(package)
        if files is None:
            raise CatalogError(
                f"the checksum of {package} {version} needs its package file: give --files DIR"
            )
        current = CatalogVersion(
            version=version,
            interlace=_interlace_specifier(package),
            sha256=file_sha256(_package_file(files, package, version)),
        )
    kept = (
        []
        if previous is None or built_in
        else [item for item in previous.versions if item.version != current.version]
    )
    versions = sorted([*kept, current], key=lambda item: Version(item.version))
    keywords = (_keywords(package) if not built_in else []) or (previous.keywords if previous else [])
    return CatalogEntry(
        name=connector.name,
        package=package,
        description=" ".join(connector.description.split("\n\n")[0].split()),
        keywords=keywords,
        operations=sorted(connector.operations),
        triggers=sorted(connector.triggers),
        versions=versions,
    )


def build_index(
    registry: ConnectorRegistry,
    packages: Iterable[str] = (),
    previous: CatalogIndex | None = None,
    files: Path | None = None,
) -> CatalogIndex:
    """The index of the installed connectors (those of ``packages`` only, when given), laid over
    ``previous``; a package's checksum comes from its file in ``files``."""
    wanted = {canonicalize_name(package) for package in packages}
    loaded, problems = registry.load_all()
    chosen = [entry for entry in loaded if not wanted or canonicalize_name(entry.distribution) in wanted]
    if problems:
        raise CatalogError("some installed connectors cannot be loaded: " + "; ".join(problems.values()))
    earlier = {entry.name: entry for entry in previous.connectors} if previous is not None else {}
    built = {
        entry.connector.name: _entry(entry, earlier.get(entry.connector.name), files) for entry in chosen
    }
    rebuilt = {canonicalize_name(entry.distribution) for entry in chosen} | wanted
    kept = {
        name: entry
        for name, entry in earlier.items()
        if name not in built and canonicalize_name(entry.package) not in rebuilt
    }
    return CatalogIndex(
        about=ABOUT, connectors=sorted({**kept, **built}.values(), key=lambda entry: entry.name)
    )
