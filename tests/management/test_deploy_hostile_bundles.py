"""A bundle whose project files are hostile (changed after `interlace build`, with the manifest made to
match) is refused over the management API with 422 and its problems at their lines; the running version
keeps serving."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import orjson
import pytest

from interlace.runtime.bundles import MANIFEST, build_bundle
from tests.management.conftest import ENV, PROJECT, REGISTRY, Managed, write_project

TOML = PROJECT["interlace.toml"].replace('version = "2.0.0"', 'version = "6.6.6"')
HOSTILE = "sequences/hostile.yaml"


def bundle(folder: Path, changed: dict[str, bytes]) -> bytes:
    """The shop project, version 6.6.6, built, then with ``changed`` files and a manifest that lists them."""
    root = write_project(folder / "shop", {**PROJECT, "interlace.toml": TOML})
    with zipfile.ZipFile(build_bundle(root, folder / "dist", env=ENV, connectors=REGISTRY)) as built:
        files = {name: built.read(name) for name in built.namelist()}
    manifest = orjson.loads(files.pop(MANIFEST))
    files.update(changed)
    manifest["files"] = [
        {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for path, data in sorted(files.items())
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(MANIFEST, orjson.dumps(manifest))
        for path, data in files.items():
            archive.writestr(path, data)
    return out.getvalue()


def sequence(body: bytes) -> dict[str, bytes]:
    return {HOSTILE: b"sequence: Hostile\nflow:\n" + body}


CASES = {
    "a NUL byte": (
        sequence(b"  - log: a\x00b\n"),
        f"{HOSTILE}:3: invalid YAML: the character NUL at column 11",
    ),
    "invalid UTF-8": (
        sequence(b"  - log: caf\xe9\n"),
        f"{HOSTILE}:3: the file must be UTF-8 text: byte 0xe9",
    ),
    "a flow 2000 levels deep": (
        {HOSTILE: b"sequence: Hostile\nflow: " + b"[" * 2000 + b"]" * 2000 + b"\n"},
        f"{HOSTILE}:2: mappings and lists nest more than 100 levels deep",
    ),
    "xpath of NUL": (
        sequence(b"  - variable: {name: x, value: \"${xpath('\\0')}\"}\n"),
        f"{HOSTILE}:3: xpath() needs an XPath of XML characters",
    ),
    "a lone surrogate": (
        sequence(b"  - log: \"${'\\ud800'}\"\n"),
        f"{HOSTILE}:3: the text \"${{'\\ud800'}}\" holds a lone surrogate",
    ),
    "a !!set tag": (sequence(b"  - log: !!set {a}\n"), f"{HOSTILE}:3: the YAML tag !!set is not supported"),
    "an alias bomb": (
        {
            HOSTILE: b"sequence: Hostile\nflow: []\nparameters: []\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
            + b"".join(
                b"l%d: &l%d [%s]\n" % (n, n, b", ".join([b"*l%d" % (n - 1)] * 10)) for n in range(1, 8)
            )
        },
        f"{HOSTILE}:1: its aliases (*name) expand to more than 100000 values",
    ),
    "invalid TOML": (
        {"interlace.toml": TOML.encode() + b"oops = \n"},
        "interlace.toml:7: invalid TOML: Invalid value",
    ),
    "NUL in TOML": (
        {"interlace.toml": TOML.encode().replace(b'"shop"', b'"sh\x00op"')},
        "interlace.toml:2: invalid TOML: Illegal character '\\x00'",
    ),
    "a wrong type in TOML": (
        {"interlace.toml": TOML.encode().replace(b"port = 8290", b'port = "x"')},
        "interlace.toml:6: server.port: Input should be a valid integer",
    ),
}


@pytest.mark.parametrize(("files", "expected"), CASES.values(), ids=CASES.keys())
async def test_a_bundle_with_a_hostile_file_is_refused_with_422_and_the_problem_at_its_line(
    managed: Managed, admin: str, tmp_path: Path, files: dict[str, bytes], expected: str
) -> None:
    before = managed.runtime.artifacts
    answer = await managed.call(
        "POST",
        "/management/deployments",
        token=admin,
        data=bundle(tmp_path, files),
        headers={"Content-Type": "application/zip"},
    )
    assert (answer.status, answer.error_code) == (422, "DEPLOYMENT_REFUSED"), answer.json
    message = str(answer.json["error"]["message"])
    assert message.startswith("shop 6.6.6 was refused (1 problem); the running version keeps serving:\n")
    assert expected in message
    assert "Traceback" not in message
    assert managed.runtime.artifacts is before
    listed = (await managed.call("GET", "/management/deployments", token=admin)).json["items"]
    assert [(item["version"], item["active"]) for item in listed] == [("2.0.0", True)]
