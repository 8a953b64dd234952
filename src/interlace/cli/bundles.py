"""``interlace build``, ``deploy``, ``rollback`` and ``undeploy``: make a bundle of a project, upload it to a
server's management API (where it runs beside the other projects), restore a project's previous version
there, and remove a project from it.

A server is named by ``--url`` and ``--token``, or by a remote saved with ``interlace remote login``
(``--remote NAME``, default: the current one; see :mod:`interlace.cli.remote`).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import aiohttp
import orjson
import typer
from rich.console import Console

from interlace.errors import ConfigError, InterlaceError

__all__ = ["register_bundle_commands"]

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

RemoteOption = Annotated[
    str | None, typer.Option("--remote", "-r", help="A remote saved with `interlace remote login`.")
]
UrlOption = Annotated[
    str | None,
    typer.Option("--url", envvar="INTERLACE_URL", help="The management API's address (http://host:9164)."),
]
TokenOption = Annotated[
    str | None,
    typer.Option("--token", envvar="INTERLACE_TOKEN", help="A token from `POST /management/login`."),
]


def _server(remote: str | None, url: str | None, token: str | None) -> tuple[str, str | None]:
    """The management API's address and token: from ``--url``/``--token``, else the saved remote (the
    current one unless named); RemoteConfigError when there is no such remote."""
    if url is not None:
        return url.rstrip("/"), token
    from interlace.cli.remote import load_config

    _, found = load_config().remote(remote)
    return found.url.rstrip("/"), token or found.token


async def _call(
    base: str, token: str | None, method: str, path: str, data: bytes | None = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if data is not None:
        headers["Content-Type"] = "application/zip"
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.request(method, base + path, data=data, headers=headers) as answer,
        ):
            body = await answer.read()
            try:
                return answer.status, orjson.loads(body)
            except orjson.JSONDecodeError:
                return answer.status, {"error": {"code": "", "message": body.decode("utf-8", "replace")}}
    except aiohttp.ClientError as exc:
        raise InterlaceError(f"cannot reach the management API at {base}: {exc}") from exc


def _answer(status: int, body: Any) -> dict[str, Any]:
    """The answer's JSON when it succeeded; else the server's message printed and exit 1."""
    if status < 300 and isinstance(body, dict):
        return body
    error = body.get("error", {}) if isinstance(body, dict) else {}
    _err.print(f"{error.get('code') or status}: {error.get('message', body)}", style="bold red", markup=False)
    raise typer.Exit(1)


def build(
    project: Annotated[Path, typer.Argument(help="The project folder (holds interlace.toml).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder to write the bundle to (default: here).")
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", "-p", envvar="INTERLACE_PROFILE", help="Profile to check with.")
    ] = None,
) -> None:
    """Check a project and make its versioned bundle NAME-VERSION.zip (files, checksums, connectors)."""
    from interlace.compiler.diagnostics import format_problem
    from interlace.runtime.bundles import build_bundle

    try:
        path = build_bundle(project, out, profile=profile)
    except ConfigError as exc:
        problems = list(exc.detail) if isinstance(exc.detail, list) else [exc]
        for problem in problems:
            _err.print(format_problem(problem), markup=False)
        _err.print(exc.message if isinstance(exc.detail, list) else "no bundle was built", style="bold red")
        raise typer.Exit(1) from None
    _out.print(f"built {path}", markup=False)


def deploy(
    bundle: Annotated[Path, typer.Argument(help="A bundle made by `interlace build`.")],
    remote: RemoteOption = None,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Upload a bundle to a server: it becomes active there without a restart (or is refused, and the
    running version keeps serving)."""
    try:
        data = bundle.read_bytes()
        base, secret = _server(remote, url, token)
        status, body = asyncio.run(_call(base, secret, "POST", "/management/deployments", data))
    except (OSError, InterlaceError) as exc:
        _err.print(getattr(exc, "message", None) or str(exc), style="bold red", markup=False)
        raise typer.Exit(1) from None
    info = _answer(status, body)
    _out.print(f"deployed {info['name']} {info['version']} to {base}", markup=False)
    for note in info.get("notes", []):
        _err.print(f"note: {note}", style="yellow", markup=False)


def _change(
    method: str, path: str, remote: str | None, url: str | None, token: str | None
) -> tuple[str, Any]:
    """Ask the server for a change of a deployment: its base address and the answer's JSON (or the
    server's message printed and exit 1)."""
    try:
        base, secret = _server(remote, url, token)
        status, body = asyncio.run(_call(base, secret, method, path))
    except InterlaceError as exc:
        _err.print(exc.message, style="bold red", markup=False)
        raise typer.Exit(1) from None
    return base, _answer(status, body)


ProjectName = Annotated[str, typer.Argument(help="The project (deployment) name.")]


def rollback(
    name: ProjectName, remote: RemoteOption = None, url: UrlOption = None, token: TokenOption = None
) -> None:
    """Make the version of a project that was active before the current one active again (the other
    projects are not touched)."""
    path = f"/management/deployments/{quote(name, safe='')}/rollback"
    base, info = _change("POST", path, remote, url, token)
    _out.print(f"rolled {info['name']} back to {info['version']} on {base}", markup=False)


def undeploy(
    name: ProjectName, remote: RemoteOption = None, url: UrlOption = None, token: TokenOption = None
) -> None:
    """Stop a project on a server and remove it (its deployed bundles too); the others keep running."""
    base, info = _change("DELETE", f"/management/deployments/{quote(name, safe='')}", remote, url, token)
    _out.print(f"undeployed {info['name']} {info['version']} from {base}", markup=False)


def register_bundle_commands(app: typer.Typer) -> None:
    """Add ``build``, ``deploy``, ``rollback`` and ``undeploy`` to the ``interlace`` command."""
    app.command("build")(build)
    app.command("deploy")(deploy)
    app.command("rollback")(rollback)
    app.command("undeploy")(undeploy)
