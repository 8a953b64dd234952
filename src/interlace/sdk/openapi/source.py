"""Reading an OpenAPI document from a file or an ``http(s)`` URL, JSON or YAML.

JSON is parsed with orjson; YAML with the project's defensive loader (core tags only, bounded nesting
and alias expansion), since a description fetched from elsewhere is as untrusted as a project file.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any, Final

import orjson

from interlace.errors import ConfigError
from interlace.model.yamlsource import decode_source, load_yaml

__all__ = ["MAX_BYTES", "document_uri", "load_document", "read_location"]

MAX_BYTES: Final = 64 * 1024 * 1024
"""The largest description read (the biggest public ones are about 15 MB)."""
_TIMEOUT: Final = 60.0


def document_uri(source: str | Path) -> str:
    """The absolute URI of a file path or URL, the base that relative ``$ref`` values resolve against."""
    text = str(source)
    if text.startswith(("http://", "https://", "file://")):
        return text
    return Path(text).resolve().as_uri()


def load_document(source: str | Path) -> Any:
    """The parsed document at ``source``; :class:`ConfigError` saying what is wrong and where."""
    uri = document_uri(source)
    data = _read(uri, str(source))
    text = decode_source(data, str(source))
    if text.lstrip().startswith("{"):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise ConfigError(f"{source} is not valid JSON: {exc}") from exc
    return load_yaml(text, str(source))


def _read(uri: str, shown: str) -> bytes:
    return read_location(uri, f"the OpenAPI description {shown}", accept="application/json, application/yaml")


def read_location(
    source: str, what: str, *, accept: str = "*/*", limit: int = MAX_BYTES, timeout: float = _TIMEOUT
) -> bytes:
    """The bytes at ``source`` (a file path, a ``file://`` or an http(s) URL), at most ``limit`` of them;
    :class:`ConfigError` naming ``what`` (``"the OpenAPI description x.yaml"``) when it cannot be read."""
    uri = document_uri(source)
    if uri.startswith("file://"):
        path = Path(urllib.request.url2pathname(uri.removeprefix("file://")))
        try:
            with path.open("rb") as file:
                data = file.read(limit + 1)
        except OSError as exc:
            raise ConfigError(f"cannot read {what}: {exc.strerror or exc}") from exc
    else:
        request = urllib.request.Request(uri, headers={"Accept": accept})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = response.read(limit + 1)
        except OSError as exc:
            raise ConfigError(f"cannot fetch {what}: {exc}") from exc
    if len(data) > limit:
        raise ConfigError(f"{what} is larger than {limit // 2**20} MiB")
    return data
