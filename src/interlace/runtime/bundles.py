"""Bundles: a project packed as one versioned, verifiable file (``NAME-VERSION.zip``) to deploy elsewhere.

A bundle holds the project's files and ``manifest.json``: name, version, when its content last changed,
each file with its SHA-256 checksum and size, the connectors the project uses (with the versions
installed where it was built) and the Interlace version that built it. The zip is deterministic: the same
project gives the same bytes (sorted entries, fixed timestamps, ``created`` taken from the newest file or
``SOURCE_DATE_EPOCH``), so a bundle can be rebuilt and compared.

:func:`build_bundle` refuses a project with problems (ConfigError listing them); :func:`read_bundle`
refuses a bundle that is not exactly what its manifest says (BundleError), before anything is unpacked.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Final

import orjson

from interlace import __version__
from interlace.compiler.compile import compile_project, installed_connectors
from interlace.errors import ConfigError, InterlaceError
from interlace.model.load import PROJECT_FILE, Project, load_project
from interlace.runtime.token_store import STATE_DIR
from interlace.sdk import ConnectorRegistry, UnknownConnectorError

__all__ = [
    "MANIFEST",
    "MAX_BUNDLE_SIZE",
    "Bundle",
    "BundleError",
    "BundledConnector",
    "BundledFile",
    "Manifest",
    "build_bundle",
    "bundle_file_name",
    "read_bundle",
]

MANIFEST: Final = "manifest.json"
MAX_BUNDLE_SIZE: Final = 64 * 1024 * 1024
"""Bytes a bundle may have, packed; unpacked it may hold four times as much."""
_FORMAT: Final = 1
_ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)
_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$")
_SKIPPED_DIRS: Final = frozenset({"__pycache__", "node_modules"})


class BundleError(InterlaceError):
    """A bundle that cannot be deployed as it is (not a zip, no manifest, a checksum that does not match,
    an unsafe path): rebuild it with ``interlace build``."""

    code = "INVALID_BUNDLE"
    status = 400


@dataclass(frozen=True, slots=True)
class BundledFile:
    path: str
    """Relative, with ``/``: ``apis/orders.yaml``."""
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class BundledConnector:
    name: str
    version: str
    """The version installed where the bundle was built ("" when it was not installed there)."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a bundle holds; ``created`` is ISO 8601 UTC."""

    name: str
    version: str
    created: str
    interlace: str
    files: tuple[BundledFile, ...]
    connectors: tuple[BundledConnector, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "name": self.name,
            "version": self.version,
            "created": self.created,
            "interlace": self.interlace,
            "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in self.files],
            "connectors": [{"name": c.name, "version": c.version} for c in self.connectors],
        }

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        """The manifest ``data`` describes; BundleError naming the first field that is wrong."""
        try:
            if not isinstance(data, dict) or data.get("format") != _FORMAT:
                raise ValueError(f"format must be {_FORMAT}")
            files = tuple(
                BundledFile(_checked_path(str(f["path"])), str(f["sha256"]), int(f["size"]))
                for f in data["files"]
            )
            connectors = tuple(
                BundledConnector(str(c["name"]), str(c["version"])) for c in data["connectors"]
            )
            manifest = cls(
                _checked_name(data["name"], "name"),
                _checked_name(data["version"], "version"),
                str(data["created"]),
                str(data["interlace"]),
                files,
                connectors,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BundleError(f"{MANIFEST} is not a bundle manifest: {exc}") from exc
        if PROJECT_FILE not in {f.path for f in files}:
            raise BundleError(f"{MANIFEST} lists no {PROJECT_FILE}: the bundle holds no project")
        return manifest


def bundle_file_name(name: str, version: str) -> str:
    """``shop-2.0.0.zip``."""
    return f"{name}-{version}.zip"


def _checked_name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise ValueError(
            f"the {what} must be letters, digits, '.', '_', '+' or '-', starting with a letter or digit "
            f"(got {value!r})"
        )
    return value


def _checked_path(path: str) -> str:
    parts = PurePosixPath(path).parts
    if (
        not parts
        or "\\" in path
        or path.startswith("/")
        or any(part in ("", ".", "..") for part in parts)
        or parts[0] == STATE_DIR
        or ":" in parts[0]
    ):
        raise ValueError(f"a bundled file must be a plain relative path inside the project (got {path!r})")
    return path


def _project_files(root: Path, skip: Path | None) -> Iterator[Path]:
    """The project's files: everything but hidden entries (``.interlace/`` state, ``.git``), caches and
    the folder the bundle is written to."""
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d not in _SKIPPED_DIRS and (skip is None or here / d != skip)
        )
        for name in sorted(files):
            if not name.startswith(".") and not name.endswith(".pyc"):
                yield here / name


def _used_connectors(project: Project, registry: ConnectorRegistry) -> tuple[BundledConnector, ...]:
    """The connectors named by the project's connections, operations (``connector.operation`` keys in
    flows) and triggers, with the versions installed here."""
    installed = set(registry.names())
    names = {connection.connector for connection in project.connections}

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                prefix, dot, _ = str(key).partition(".")
                if dot and prefix in installed:
                    names.add(prefix)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for definitions in (project.apis, project.sequences, project.tasks, project.inbound):
        for definition in definitions:
            walk(definition.model_dump(by_alias=True))
    used = []
    for name in sorted(names):
        try:
            version = registry.get(name).version
        except UnknownConnectorError:
            version = ""
        used.append(BundledConnector(name, version))
    return tuple(used)


def _problems(project: Project, registry: ConnectorRegistry) -> list[ConfigError]:
    """Every problem of ``project`` compiled against ``registry`` (as ``interlace check`` finds them)."""
    try:
        compile_project(project, connectors=registry)
    except ConfigError as exc:
        return list(exc.detail) if isinstance(exc.detail, list) else [exc]
    return []


def _created(paths: list[Path]) -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = float(epoch) if epoch and epoch.isdigit() else max(int(p.stat().st_mtime) for p in paths)
    moment = datetime.datetime.fromtimestamp(stamp, datetime.UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _zip_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, _ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def build_bundle(
    root: Path | str,
    out: Path | str | None = None,
    *,
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
    connectors: ConnectorRegistry | None = None,
) -> Path:
    """Check the project at ``root`` (ConfigError listing every problem) and write its bundle into the
    folder ``out`` (default: the current folder, created if missing); returns the bundle's path."""
    root = Path(root)
    project = load_project(root, profile, env)
    registry = connectors or installed_connectors()
    problems = _problems(project, registry)
    if problems:
        count = len(problems)
        raise ConfigError(
            f"{root} has {count} problem{'s' if count != 1 else ''}: no bundle was built", detail=problems
        )
    try:
        name, version = _checked_name(project.name, "project name"), _checked_name(project.version, "version")
    except ValueError as exc:
        raise ConfigError(f"{exc} in {PROJECT_FILE}") from exc
    folder = Path.cwd() if out is None else Path(out)
    target = folder / bundle_file_name(name, version)
    paths = list(_project_files(root, folder.resolve() if folder.resolve() != root.resolve() else None))
    contents = {
        p.relative_to(root).as_posix(): p.read_bytes() for p in paths if p.resolve() != target.resolve()
    }
    manifest = Manifest(
        name,
        version,
        _created(paths),
        __version__,
        tuple(
            BundledFile(path, hashlib.sha256(data).hexdigest(), len(data)) for path, data in contents.items()
        ),
        _used_connectors(project, registry),
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _zip_entry(archive, MANIFEST, orjson.dumps(manifest.to_json(), option=orjson.OPT_INDENT_2))
        for path in sorted(contents):
            _zip_entry(archive, path, contents[path])
    folder.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue())
    return target


@dataclass(frozen=True, slots=True)
class Bundle:
    """A verified bundle: its manifest and its files' contents (exactly those the manifest lists)."""

    manifest: Manifest
    files: Mapping[str, bytes]

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def version(self) -> str:
        return self.manifest.version

    def extract(self, folder: Path) -> None:
        """Write the files and the manifest into ``folder`` (created; it should not exist yet)."""
        folder.mkdir(parents=True)
        for path, data in self.files.items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (folder / MANIFEST).write_bytes(orjson.dumps(self.manifest.to_json(), option=orjson.OPT_INDENT_2))


def read_bundle(data: bytes) -> Bundle:
    """The bundle in ``data``, verified: a zip of at most MAX_BUNDLE_SIZE bytes whose manifest lists
    exactly the files it holds, each with its size and checksum. BundleError says what does not hold."""
    if len(data) > MAX_BUNDLE_SIZE:
        raise BundleError(f"a bundle may have at most {MAX_BUNDLE_SIZE} bytes (got {len(data)})")
    try:
        return _verified(data)
    except _UNREADABLE as exc:
        raise BundleError(f"a bundle is a zip file made by `interlace build` ({exc})") from exc


_UNREADABLE: Final = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError)
"""What a broken or unusual zip (bad CRC, encrypted, unknown compression) raises when it is read."""


def _verified(data: bytes) -> Bundle:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = {info.filename: info for info in archive.infolist() if not info.is_dir()}
        if MANIFEST not in entries:
            raise BundleError(f"the bundle holds no {MANIFEST}: build it with `interlace build`")
        try:
            manifest = Manifest.from_json(orjson.loads(archive.read(MANIFEST)))
        except orjson.JSONDecodeError as exc:
            raise BundleError(f"{MANIFEST} is not JSON ({exc})") from exc
        listed = {f.path: f for f in manifest.files}
        unlisted = sorted(set(entries) - listed.keys() - {MANIFEST})
        missing = sorted(listed.keys() - set(entries))
        if unlisted or missing:
            what = f"files not in the manifest: {', '.join(unlisted)}" if unlisted else ""
            what += ("; " if what else "") + (f"files missing: {', '.join(missing)}" if missing else "")
            raise BundleError(f"the bundle does not hold what its manifest lists ({what})")
        if sum(f.size for f in manifest.files) > 4 * MAX_BUNDLE_SIZE:
            raise BundleError(f"the bundle unpacks to more than {4 * MAX_BUNDLE_SIZE} bytes")
        files: dict[str, bytes] = {}
        for path, listed_file in listed.items():
            if entries[path].file_size != listed_file.size:
                raise BundleError(
                    f"{path} has {entries[path].file_size} bytes, its manifest says {listed_file.size}: "
                    "the bundle was changed"
                )
            content = archive.read(path)
            if hashlib.sha256(content).hexdigest() != listed_file.sha256:
                raise BundleError(f"{path} does not match its checksum in {MANIFEST}: the bundle was changed")
            files[path] = content
    return Bundle(manifest, files)
