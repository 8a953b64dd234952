"""`interlace remote add|remove|login|logout|use|list`: the running servers the operations commands talk
to, and their login tokens.

Remotes and tokens live in `remotes.json` in the configuration folder (`$INTERLACE_CONFIG_DIR`, else
`$XDG_CONFIG_HOME/interlace`, else `~/.config/interlace`). The file holds tokens, so it is written
with owner-only permissions (0600) and refused when other users may read it. The remote `local`
(`http://127.0.0.1:9164`) always exists and is the current one until another is chosen."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from interlace.cli.client import (
    ManagementClient,
    RemoteError,
    RemoteUnauthorizedError,
    RemoteUnreachableError,
)
from interlace.errors import InterlaceError

__all__ = [
    "DEFAULT_REMOTE",
    "DEFAULT_URL",
    "Hints",
    "Remote",
    "RemoteConfig",
    "RemoteConfigError",
    "config_path",
    "fail",
    "load_config",
    "load_config_or_exit",
    "log_in",
    "log_out",
    "remote_app",
    "remote_client",
    "run_remote",
    "save_config",
    "use_hints",
]

DEFAULT_REMOTE = "local"
DEFAULT_URL = "http://127.0.0.1:9164"
_FILE = "remotes.json"

remote_app = typer.Typer(help="The running servers to operate, and logging in to them.", no_args_is_help=True)


def _out() -> Console:
    # Made per use, so the width is the terminal's (or $COLUMNS) at the time of printing.
    return Console(highlight=False, soft_wrap=True)


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


_T = TypeVar("_T")


class RemoteConfigError(InterlaceError):
    """The remotes file cannot be used: unreadable, broken, or readable by other users."""

    code = "REMOTE_CONFIG_ERROR"


@dataclass(frozen=True, slots=True)
class Remote:
    """A running server's management API address, and the login token for it when logged in."""

    url: str
    token: str | None = None
    user: str | None = None
    role: str | None = None
    expires_at: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteConfig:
    """The known remotes by name and the one commands use when not told otherwise."""

    current: str = DEFAULT_REMOTE
    remotes: dict[str, Remote] = field(default_factory=lambda: {DEFAULT_REMOTE: Remote(DEFAULT_URL)})

    def remote(self, name: str | None) -> tuple[str, Remote]:
        """The named remote (the current one for None); RemoteConfigError when unknown."""
        chosen = name or self.current
        found = self.remotes.get(chosen)
        if found is None:
            known = ", ".join(sorted(self.remotes))
            raise RemoteConfigError(
                f"no remote named {chosen!r} (remotes: {known});"
                f" add it with `interlace remote add {chosen} URL`"
            )
        return chosen, found

    def with_remote(self, name: str, remote: Remote) -> RemoteConfig:
        return replace(self, remotes={**self.remotes, name: remote})


def config_path() -> Path:
    """Where the remotes file is (it may not exist yet)."""
    configured = os.environ.get("INTERLACE_CONFIG_DIR")
    if configured:
        return Path(configured) / _FILE
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "interlace" / _FILE


def load_config(path: Path | None = None) -> RemoteConfig:
    """The remotes file's content; the defaults when it does not exist yet."""
    path = path or config_path()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return RemoteConfig()
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise RemoteConfigError(
            f"{path} holds login tokens but other users may read or change it"
            f" (mode {stat.S_IMODE(mode):04o}); run `chmod 600 {path}` and log in again"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        remotes = {name: Remote(**fields) for name, fields in data["remotes"].items()}
        current = str(data.get("current", DEFAULT_REMOTE))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RemoteConfigError(f"{path} cannot be read as a remotes file ({exc}); fix or delete it") from exc
    remotes.setdefault(DEFAULT_REMOTE, Remote(DEFAULT_URL))
    return RemoteConfig(current if current in remotes else DEFAULT_REMOTE, remotes)


def save_config(config: RemoteConfig, path: Path | None = None) -> Path:
    """Write the remotes file atomically with mode 0600 (its folder: 0700 when created)."""
    path = path or config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = {
        "current": config.current,
        "remotes": {
            name: {key: value for key, value in _fields(remote).items() if value is not None}
            for name, remote in sorted(config.remotes.items())
        },
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2)
            file.write("\n")
        temporary.chmod(0o600)  # O_CREAT's mode does not apply to a file left from a crash
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def _fields(remote: Remote) -> dict[str, str | None]:
    return {
        "url": remote.url,
        "token": remote.token,
        "user": remote.user,
        "role": remote.role,
        "expires_at": remote.expires_at,
    }


def fail(message: str) -> typer.Exit:
    """Print `message` as an error; the caller raises the returned exit (status 1)."""
    _err().print(message, style="bold red", markup=False)
    return typer.Exit(1)


def remote_client(name: str | None) -> tuple[str, ManagementClient]:
    """A client of the named remote (the current one for None) with its token, for a command."""
    try:
        chosen, remote = load_config().remote(name)
    except RemoteConfigError as exc:
        raise fail(exc.message) from None
    return chosen, ManagementClient(remote.url, remote.token)


@dataclass(frozen=True, slots=True)
class Hints:
    """What a refused command tells the operator to do, for a command set that spells it its own way
    (`mi`), set for one invocation with :func:`use_hints`."""

    login: str | None = None
    """The command that logs in to the remote (`interlace remote login NAME` when None)."""
    unreachable: str | None = None
    """Added when nothing answers at the remote's address."""


_HINTS: ContextVar[Hints] = ContextVar("interlace_cli_hints")
_NO_HINTS = Hints()


def use_hints(hints: Hints) -> Callable[[], None]:
    """Make :func:`run_remote` give `hints` until the returned function is called."""
    token = _HINTS.set(hints)
    return lambda: _HINTS.reset(token)


def run_remote(remote: str, client: ManagementClient, work: Coroutine[Any, Any, _T]) -> _T:
    """Run one command's requests; a RemoteError becomes its message (and what to do) and exit 1."""
    hints = _HINTS.get(_NO_HINTS)
    login = hints.login or f"interlace remote login {remote}"
    try:
        return asyncio.run(work)
    except RemoteUnauthorizedError as exc:
        if client.token is None:
            raise fail(f"not logged in to remote {remote} ({client.base_url}): run `{login}`") from None
        reason = exc.message.removesuffix(": log in again")
        raise fail(f"remote {remote}: {reason}: run `{login}`") from None
    except RemoteUnreachableError as exc:
        extra = f"; {hints.unreachable}" if hints.unreachable else ""
        raise fail(f"remote {remote}: {exc.message}{extra}") from None
    except RemoteError as exc:
        raise fail(f"remote {remote}: {exc.message}") from None


def _normal_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = "http://" + url
    return url.removesuffix("/management")


@remote_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A short name for the server (prod, staging).")],
    url: Annotated[str, typer.Argument(help="Its management API address (http://host:9164).")],
) -> None:
    """Add (or change the address of) a remote; a changed address forgets its token."""
    config = load_config_or_exit()
    previous = config.remotes.get(name)
    url = _normal_url(url)
    kept = previous if previous is not None and previous.url == url else Remote(url)
    save_config(config.with_remote(name, kept))
    _out().print(f"remote {name}: {url}", markup=False)


@remote_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="The remote to forget, with its token.")]) -> None:
    """Forget a remote and its token (`local` comes back with its default address)."""
    config = load_config_or_exit()
    if name not in config.remotes:
        raise fail(f"no remote named {name!r} (remotes: {', '.join(sorted(config.remotes))})")
    remotes = {key: value for key, value in config.remotes.items() if key != name}
    current = config.current if config.current != name else DEFAULT_REMOTE
    save_config(RemoteConfig(current, remotes or {DEFAULT_REMOTE: Remote(DEFAULT_URL)}))
    _out().print(f"removed remote {name}", markup=False)


@remote_app.command("use")
def use(name: Annotated[str, typer.Argument(help="The remote commands talk to from now on.")]) -> None:
    """Make a remote the current one."""
    config = load_config_or_exit()
    try:
        config.remote(name)
    except RemoteConfigError as exc:
        raise fail(exc.message) from None
    save_config(replace(config, current=name))
    _out().print(f"using remote {name} ({config.remotes[name].url})", markup=False)


@remote_app.command("list")
def list_remotes(
    output: Annotated[str, typer.Option("--output", "-o", help="table or json.")] = "table",
) -> None:
    """The remotes; `*` marks the current one. Tokens are never shown."""
    config = load_config_or_exit()
    rows = [
        {
            "name": name,
            "current": name == config.current,
            "url": remote.url,
            "user": remote.user if remote.token else None,
            "role": remote.role if remote.token else None,
            "login": _login_state(remote),
        }
        for name, remote in sorted(config.remotes.items())
    ]
    if output == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("", "NAME", "URL", "USER", "ROLE", "LOGIN")
    for row in rows:
        table.add_row(
            "*" if row["current"] else "",
            str(row["name"]),
            str(row["url"]),
            str(row["user"] or "-"),
            str(row["role"] or "-"),
            str(row["login"]),
        )
    _out().print(table)


def _login_state(remote: Remote) -> str:
    if not remote.token:
        return "logged out"
    if remote.expires_at is None:
        return "logged in"
    try:
        expires = datetime.fromisoformat(remote.expires_at.replace("Z", "+00:00"))
    except ValueError:
        return "logged in"
    if expires <= datetime.now(UTC):
        return f"expired {remote.expires_at}"
    return f"until {remote.expires_at}"


@remote_app.command("login")
def login(
    name: Annotated[str | None, typer.Argument(help="The remote (default: the current one).")] = None,
    user_arg: Annotated[str | None, typer.Argument(metavar="[USER]", help="The user name.")] = None,
    password_arg: Annotated[
        str | None, typer.Argument(metavar="[PASSWORD]", help="Prefer the prompt.")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", "-u", help="The user name [default: admin].")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            "--password", envvar="INTERLACE_PASSWORD", help="The password; asked for when not given."
        ),
    ] = None,
) -> None:
    """Log in to a remote and keep its token (`interlace remote login prod admin` as with `mi`)."""
    log_in(name, user_arg or user or "admin", password_arg or password)


def log_in(name: str | None, who: str, secret: str | None) -> None:
    """Log in to the named remote (the current one for None) as `who`, asking for the password when
    `secret` is None, and keep the token; a refused login is printed and exits 1."""
    config = load_config_or_exit()
    try:
        chosen, remote = config.remote(name)
    except RemoteConfigError as exc:
        raise fail(exc.message) from None
    if not secret:
        secret = typer.prompt(f"password of {who} at {remote.url}", hide_input=True)
    try:
        answer = asyncio.run(ManagementClient(remote.url).login(who, secret))
    except RemoteError as exc:
        raise fail(f"cannot log in to {chosen} ({remote.url}): {exc.message}") from None
    logged_in = replace(
        remote,
        token=str(answer["token"]),
        user=str(answer.get("user", who)),
        role=str(answer.get("role")) if answer.get("role") else None,
        expires_at=str(answer.get("expiresAt")) if answer.get("expiresAt") else None,
    )
    save_config(config.with_remote(chosen, logged_in))
    until = f" until {logged_in.expires_at}" if logged_in.expires_at else ""
    _out().print(
        f"logged in to {chosen} ({remote.url}) as {logged_in.user} ({logged_in.role}){until}", markup=False
    )


@remote_app.command("logout")
def logout(
    name: Annotated[str | None, typer.Argument(help="The remote (default: the current one).")] = None,
) -> None:
    """Revoke the token of a remote at the server and forget it here."""
    log_out(name)


def log_out(name: str | None) -> None:
    """Revoke the token of the named remote (the current one for None) and forget it here."""
    config = load_config_or_exit()
    try:
        chosen, remote = config.remote(name)
    except RemoteConfigError as exc:
        raise fail(exc.message) from None
    if not remote.token:
        _out().print(f"not logged in to {chosen}", markup=False)
        return
    note = ""
    try:
        asyncio.run(ManagementClient(remote.url, remote.token).request("POST", "/logout"))
    except RemoteUnauthorizedError:
        note = " (the server had refused the token already)"
    except RemoteError as exc:
        note = f" here; the server was not told ({exc.message})"
    save_config(config.with_remote(chosen, Remote(remote.url)))
    _out().print(f"logged out of {chosen}{note}", markup=False)


def load_config_or_exit() -> RemoteConfig:
    """The remotes file's content, or its problem printed and exit 1."""
    try:
        return load_config()
    except RemoteConfigError as exc:
        raise fail(exc.message) from None
