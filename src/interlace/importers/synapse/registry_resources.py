"""Registry resources: the files a Synapse source refers to by registry key (``conf:xslt/a.xslt``,
``gov:schemas/order.json``).

MI keeps them under ``/_system/config`` (``conf:``) and ``/_system/governance`` (``gov:``). A CApp holds
each registry resource artifact as a folder with its ``registry-info.xml`` (an ``<item>`` per file: the
file under ``resources/`` and its registry ``path``); an Integration Studio registry project lists the
same items in its ``artifact.xml``; an MI VS Code project keeps them under ``resources/registry/gov|conf``,
found by their path.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

from interlace.importers.synapse.sources import car_artifacts
from interlace.importers.synapse.xml import children, local_name, parse_xml, text_of

__all__ = ["registry_key", "resource_finder"]

_ROOTS: Final = (("/_system/config", "conf:"), ("/_system/governance", "gov:"))


def registry_key(key: str) -> str:
    """A key in one spelling: ``conf:/xslt//a.xslt`` and ``conf:xslt/a.xslt`` are the same resource."""
    prefix, colon, path = key.partition(":")
    if not colon:
        prefix, path = "", key
    return f"{prefix}{colon}{'/'.join(part for part in path.split('/') if part)}"


def _key(path: str, file: str) -> str:
    for root, prefix in _ROOTS:
        if path == root or path.startswith(root + "/"):
            return registry_key(f"{prefix}{path.removeprefix(root)}/{file}")
    return registry_key(f"{path}/{file}")


def _items(data: bytes, where: str) -> Iterator[tuple[str, str]]:
    """(key, file) of each ``<item>`` under ``data`` (a registry-info.xml or an artifact.xml)."""
    root = parse_xml(data, where)
    for item in root.iter():
        if isinstance(item.tag, str) and local_name(item) == "item":
            parts = {local_name(each): text_of(each) for each in children(item)}
            if parts.get("file") and parts.get("path"):
                yield _key(parts["path"], parts["file"]), parts["file"]


def _car_resources(car: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    with zipfile.ZipFile(car) as archive:
        names = set(archive.namelist())
        for artifact in car_artifacts(car, archive):
            if artifact.kind != "registry/resource":
                continue
            prefix = artifact.descriptor.removesuffix("artifact.xml")
            for info in artifact.files:
                for key, file in _items(archive.read(info), f"{car.name}!/{info}"):
                    if f"{prefix}resources/{file}" in names:
                        found[key] = archive.read(f"{prefix}resources/{file}")
    return found


def _project_resources(folder: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for descriptor in sorted(folder.rglob("artifact.xml")):
        if "target" in descriptor.relative_to(folder).parts:
            continue
        data = descriptor.read_bytes()
        if b"registry/resource" not in data:
            continue
        for key, file in _items(data, descriptor.relative_to(folder).as_posix()):
            if (descriptor.parent / file).is_file():
                found[key] = (descriptor.parent / file).read_bytes()
    return found


def _by_path(folder: Path, key: str) -> bytes | None:
    relative = key.partition(":")[2] if ":" in key else key
    if not relative.strip("/"):
        return None
    suffix = "/" + relative.strip("/")
    for candidate in sorted(folder.rglob(Path(relative).name)):
        inside = candidate.relative_to(folder).as_posix()
        if ("/" + inside).endswith(suffix) and "target" not in inside.split("/") and candidate.is_file():
            return candidate.read_bytes()
    return None


def resource_finder(path: Path) -> Callable[[str], bytes | None]:
    """Finds a registry resource by key in a source (a folder or a ``.car``): a registry resource
    artifact's item first, else (in a folder) the file whose path ends with the key's path, outside
    build output."""
    listed = _car_resources(path) if path.is_file() else _project_resources(path)

    def find(key: str) -> bytes | None:
        found = listed.get(registry_key(key))
        if found is not None or path.is_file():
            return found
        return _by_path(path, key)

    return find
