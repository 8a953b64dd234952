"""Finding the Synapse artifacts of a source: a synapse-config folder, an Integration Studio or MI
VS Code project, or a CApp (``.car``, a zip with ``artifacts.xml`` and one folder per artifact).

Every XML file is read and classified by its root element, not by its folder, so the layouts share
one path; Maven's ``pom.xml`` is passed over. In a CApp the descriptors say which files are Synapse
artifacts. A ``synapse.xml`` (root ``definitions``) yields each artifact it holds.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from lxml import etree

from interlace.importers.synapse.xml import children, local_name, parse_xml, text_of

__all__ = ["CarArtifact", "SourceArtifact", "car_artifacts", "project_name", "read_sources"]

_DESCRIPTORS: Final = frozenset({"artifact.xml", "artifacts.xml", "pom.xml"})
_SKIPPED_FOLDERS: Final = frozenset({"target", ".git", "node_modules", ".settings", "test", "resources"})
_ROOTS: Final = (Path("src/main/wso2mi/artifacts"), Path("src/main/synapse-config"))


@dataclass(frozen=True, slots=True)
class SourceArtifact:
    """One artifact element and the file it came from (a path relative to the source, or ``x.car!/y``)."""

    file: str
    element: etree._Element


def _artifact_roots(folder: Path) -> list[Path]:
    for root in _ROOTS:
        if (folder / root).is_dir():
            return [folder / root]
    nested = sorted(p for p in folder.rglob("synapse-config") if p.is_dir() and "target" not in p.parts)
    return nested or [folder]


def _folder_files(folder: Path) -> Iterator[tuple[str, bytes]]:
    for root in _artifact_roots(folder):
        for path in sorted(root.rglob("*.xml")):
            inside = path.relative_to(root).parts[:-1]
            if path.name in _DESCRIPTORS or _SKIPPED_FOLDERS.intersection(inside):
                continue
            yield path.relative_to(folder).as_posix(), path.read_bytes()


@dataclass(frozen=True, slots=True)
class CarArtifact:
    """One artifact of a CApp: its descriptor (``FOLDER/artifact.xml``), type and the files it names."""

    descriptor: str
    data: bytes
    kind: str
    files: list[str]
    """The named files present in the archive, by their path in it."""


def car_artifacts(car: Path, archive: zipfile.ZipFile) -> Iterator[CarArtifact]:
    """The artifacts of the open CApp ``archive`` (``car``), by their descriptors, in a stable order."""
    names = set(archive.namelist())
    for name in sorted(names):
        folder, _, base = name.rpartition("/")
        if base != "artifact.xml":
            continue
        data = archive.read(name)
        descriptor = parse_xml(data, f"{car.name}!/{name}")
        prefix = f"{folder}/" if folder else ""
        files = [f"{prefix}{text_of(each)}" for each in children(descriptor) if local_name(each) == "file"]
        yield CarArtifact(name, data, descriptor.get("type") or "", [file for file in files if file in names])


def _car_files(car: Path) -> Iterator[tuple[str, bytes]]:
    """Each artifact's descriptor (``artifact.xml``) names its type and file: a Synapse artifact yields
    its file, any other (registry resources, libraries, data services) its descriptor, which the
    ``artifact`` converter reports."""
    with zipfile.ZipFile(car) as archive:
        for each in car_artifacts(car, archive):
            if each.kind.startswith("synapse/") and each.files:
                for file in each.files:
                    yield f"{car.name}!/{file}", archive.read(file)
            else:
                yield f"{car.name}!/{each.descriptor}", each.data


def read_sources(path: Path) -> Iterator[SourceArtifact]:
    """The artifacts of ``path`` (folder or ``.car``), in a stable order."""
    files = _car_files(path) if path.is_file() else _folder_files(path)
    for file, data in files:
        root = parse_xml(data, file)
        if local_name(root) == "definitions":
            for element in children(root):
                yield SourceArtifact(file, element)
        else:
            yield SourceArtifact(file, root)


def project_name(path: Path) -> str:
    """The project's name: the CApp's or folder's name (``HealthCare_1.0.0.car`` -> ``HealthCare``)."""
    stem = path.stem if path.is_file() else path.resolve().name
    if stem == "synapse-config":
        stem = path.resolve().parent.name or stem
    name = stem.split("_", 1)[0] if path.is_file() else stem
    return name or "imported"
