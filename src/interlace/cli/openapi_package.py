"""``interlace connector from-openapi``: a connector package made from an OpenAPI description.

The package has one typed operation per operation of the description (parameters with their types,
enums, required or not, documented from the description), a connection whose settings are the base URL
(the first server by default) and the credentials of each security scheme, a README, and tests that
call every operation against a fake API on loopback. What the reader could not use is in the report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from interlace import __version__
from interlace.cli.openapi_code import class_name, connection_module, operations_module, scheme_fields
from interlace.cli.openapi_samples import sample_call
from interlace.cli.openapi_templates import CONFORMANCE, OPERATIONS_TEST, PYPROJECT, readme
from interlace.sdk.openapi import ApiDescription, Note, read_openapi
from interlace.sdk.openapi.names import snake_case

__all__ = ["Generated", "generate_package", "package_name"]


@dataclass(frozen=True, slots=True)
class Generated:
    """What was written: the connector's name, its files, the operations made and the reader's notes."""

    name: str
    files: tuple[Path, ...]
    operations: tuple[str, ...]
    notes: tuple[Note, ...]
    untested: tuple[str, ...]

    @property
    def skipped(self) -> tuple[Note, ...]:
        """The operations left out, with why (schemes left out are notes of their own)."""
        return tuple(
            n for n in self.notes if n.action == "skipped" and not n.subject.startswith("security scheme")
        )


def package_name(api: ApiDescription) -> str:
    """A connector name from the API's title: ``Pet Store`` is ``pet_store``."""
    return snake_case(api.title).rstrip("_") or "api"


def generate_package(source: str, folder: Path, name: str | None = None) -> Generated:
    """Read the description at ``source`` and write the package into ``folder``; ``FileExistsError``
    if the folder holds files, :class:`~interlace.errors.ConfigError` if the description is unusable."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"{folder} exists and is not empty; choose another -o or remove it")
    api = read_openapi(source)
    name = name or package_name(api)
    base_url = next((url for url in api.servers if url.startswith(("http://", "https://"))), "")
    schemas = {
        op.name: op.body.schema
        for op in api.operations
        if op.body is not None and op.body.schema and op.body.kind in ("json", "form", "multipart")
    }
    cases = {}
    for operation in api.operations:
        call = sample_call(operation)
        if call is not None:
            cases[operation.name] = (operation.method, call[1], call[0])
    module = f"interlace_{name}"
    cls = class_name(name)
    fields = scheme_fields(api)
    files: dict[str, str] = {
        "pyproject.toml": PYPROJECT.replace("@NAME@", name)
        .replace("@DIST@", name.replace("_", "-"))
        .replace("@SDK@", ".".join(__version__.split(".")[:2]))
        .replace("@DESCRIPTION@", json.dumps(f"The {name} connector for Interlace: {api.title or name}.")),
        "README.md": readme(api, name, base_url, fields),
        f"src/{module}/__init__.py": f'"""The {name} connector."""\n\nfrom {module}.connection import'
        f" {cls}Config, {cls}Connection\nfrom {module}.operations import connector\n\n"
        f'__all__ = ["{cls}Config", "{cls}Connection", "connector"]\n',
        f"src/{module}/connection.py": connection_module(api, name, base_url),
        f"src/{module}/operations.py": operations_module(api, name, api.operations, set(schemas)),
        f"src/{module}/schemas.json": json.dumps(schemas, indent=1, sort_keys=True, default=_bytes) + "\n",
        "tests/test_conformance.py": CONFORMANCE.replace("@MODULE@", module)
        .replace("@NAME@", name)
        .replace("@COUNT@", str(len(api.operations))),
        "tests/test_operations.py": OPERATIONS_TEST.replace("@MODULE@", module)
        .replace("@CLASS@", cls)
        .replace("@CASES@", _cases(cases))
        .replace("@CREDENTIALS@", _credentials(api, fields)),
    }
    written = []
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    untested = tuple(op.name for op in api.operations if op.name not in cases)
    return Generated(name, tuple(written), tuple(op.name for op in api.operations), api.notes, untested)


def _bytes(value: object) -> object:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _cases(cases: dict[str, tuple[str, str, dict[str, object]]]) -> str:
    lines = [
        f"    ({name!r}, {values!r}, {method!r}, {path!r})," for name, (method, path, values) in cases.items()
    ]
    return "\n".join(lines)


def _credentials(api: ApiDescription, fields: dict[str, str]) -> str:
    given: dict[str, dict[str, str]] = {}
    for scheme_name, field in fields.items():
        kind = api.schemes[scheme_name].kind
        key = field.replace("_", "-")
        if kind == "api-key":
            given[key] = {"value": "test-key"}
        elif kind == "basic":
            given[key] = {"username": "tester", "password": "test-password"}
        elif kind == "bearer":
            given[key] = {"token": "test-token"}
        else:
            given[key] = {
                "client-id": "tester",
                "client-secret": "test-secret",
                "refresh-token": "test-refresh",
            }
    return repr(given)
