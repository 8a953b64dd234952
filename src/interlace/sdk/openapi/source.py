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

__all__ = ["MAX_BYTES", "document_uri", "load_document"]

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
    if uri.startswith("file://"):
        path = Path(urllib.request.url2pathname(uri.removeprefix("file://")))
        try:
            with path.open("rb") as file:
                data = file.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ConfigError(f"cannot read the OpenAPI description {shown}: {exc.strerror or exc}") from exc
    else:
        request = urllib.request.Request(uri, headers={"Accept": "application/json, application/yaml"})
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
                data = response.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ConfigError(f"cannot fetch the OpenAPI description {shown}: {exc}") from exc
    if len(data) > MAX_BYTES:
        raise ConfigError(f"the OpenAPI description {shown} is larger than {MAX_BYTES // 2**20} MiB")
    return data
