"""The users of the management API: a JSON file of names, roles and argon2 password hashes.

```json
{"users": [{"name": "admin", "role": "admin", "hash": "$argon2id$v=19$m=65536,t=3,p=4$..."}]}
```

``admin`` may do everything; ``operator`` may read and operate what runs (activate and deactivate
services and endpoints, run tasks, replay and purge stored messages, change log levels) but not deploy;
``monitor`` may only read (GET). The file is written with owner-only
permissions (0600) and never holds a password, only its hash. On first start, when the file does not
exist, :func:`open_user_store` creates it with one ``admin`` user whose password comes from
``INTERLACE_ADMIN_PASSWORD`` (the environment variable, or the file of that name in the secrets folder)
or, when that is not set, is generated and announced once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, cast

import orjson

from interlace.errors import ConfigError

if TYPE_CHECKING:
    from argon2 import PasswordHasher

__all__ = [
    "ADMIN_PASSWORD_ENV",
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "Role",
    "User",
    "UserStore",
    "open_user_store",
]

Role = Literal["admin", "operator", "monitor"]
ROLES: Final[tuple[Role, ...]] = ("admin", "operator", "monitor")
ADMIN_PASSWORD_ENV: Final = "INTERLACE_ADMIN_PASSWORD"
SECRETS_DIR_ENV: Final = "INTERLACE_SECRETS_DIR"
MIN_PASSWORD_LENGTH: Final = 12
_log = logging.getLogger("interlace.management")


@dataclass(frozen=True, slots=True)
class User:
    """A user of the management API; ``password_hash`` is an argon2 hash, never a password."""

    name: str
    role: Role
    password_hash: str

    def __repr__(self) -> str:
        return f"User(name={self.name!r}, role={self.role!r})"


class UserStore:
    """The users by name. ``authenticate`` runs the (deliberately slow) hash check off the event loop
    and takes as long for an unknown user as for a known one, so answers do not tell which names exist."""

    def __init__(self, users: Iterable[User] = (), hasher: PasswordHasher | None = None) -> None:
        self._given_hasher = hasher
        self._users = {user.name: user for user in users}
        self._dummy_hash: str | None = None

    @property
    def hasher(self) -> PasswordHasher:
        """The given hasher, else argon2's defaults (made at the first hash or check, not at start)."""
        if self._given_hasher is None:
            from argon2 import PasswordHasher

            self._given_hasher = PasswordHasher()
        return self._given_hasher

    def get(self, name: str) -> User | None:
        return self._users.get(name)

    def names(self) -> list[str]:
        return sorted(self._users)

    def add(self, name: str, password: str, role: Role) -> User:
        """Add (or replace) user ``name``; raises ValueError for an empty name, a short password or an
        unknown role."""
        if not name or len(name) > 128 or not name.isprintable():
            raise ValueError(f"a user name is 1 to 128 printable characters (got {name!r})")
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)} (got {role!r})")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"a password must have at least {MIN_PASSWORD_LENGTH} characters")
        user = User(name, role, self.hasher.hash(password))
        self._users[name] = user
        return user

    async def authenticate(self, name: str, password: str) -> User | None:
        """The user if ``password`` is theirs, else None (unknown user or wrong password)."""
        user = self._users.get(name)
        if user is None:
            if self._dummy_hash is None:
                self._dummy_hash = await asyncio.to_thread(self.hasher.hash, secrets.token_urlsafe(16))
            await asyncio.to_thread(self._matches, self._dummy_hash, password)
            return None
        return user if await asyncio.to_thread(self._matches, user.password_hash, password) else None

    def _matches(self, password_hash: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @classmethod
    def load(cls, path: Path, hasher: PasswordHasher | None = None) -> UserStore:
        """The users of the file at ``path``; ConfigError when it cannot be read or is malformed."""
        try:
            data = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise ConfigError(f"the management users file {path} cannot be read: {exc}") from exc
        entries = data.get("users") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ConfigError(f'the management users file {path} must be {{"users": [...]}}')
        users = []
        for index, entry in enumerate(entries):
            users.append(_user_of(entry, f"{path}: users[{index}]"))
        return cls(users, hasher)

    def save(self, path: Path) -> None:
        """Write the users to ``path`` atomically, readable by the owner only."""
        entries = [
            {"name": user.name, "role": user.role, "hash": user.password_hash}
            for user in sorted(self._users.values(), key=lambda user: user.name)
        ]
        data = orjson.dumps({"users": entries}, option=orjson.OPT_INDENT_2) + b"\n"
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new state folder: owner only
        temporary = path.with_name(path.name + ".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(0o600)  # a leftover temporary file keeps its mode through os.open: set it
        temporary.replace(path)


def _user_of(entry: object, where: str) -> User:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be an object with name, role and hash")
    name, role, password_hash = entry.get("name"), entry.get("role"), entry.get("hash")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}: name must be a non-empty string (got {name!r})")
    if role not in ROLES:
        raise ConfigError(f"{where}: role must be one of {', '.join(ROLES)} (got {role!r})")
    if not isinstance(password_hash, str) or not password_hash.startswith("$argon2"):
        raise ConfigError(f"{where}: hash must be an argon2 hash ($argon2id$...)")
    return User(name, cast(Role, role), password_hash)


def configured_admin_password(env: Mapping[str, str]) -> str | None:
    """``INTERLACE_ADMIN_PASSWORD`` from the environment, else from the secrets folder, else None."""
    if env.get(ADMIN_PASSWORD_ENV):
        return env[ADMIN_PASSWORD_ENV]
    folder = Path(env.get(SECRETS_DIR_ENV, "/run/secrets"))
    try:
        value = (folder / ADMIN_PASSWORD_ENV).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return value or None


def open_user_store(
    path: Path,
    env: Mapping[str, str],
    announce: Callable[[str], None],
    hasher: PasswordHasher | None = None,
) -> UserStore:
    """The users of ``path``; on first start (no file) create it with an ``admin`` user.

    The admin's password is ``INTERLACE_ADMIN_PASSWORD`` when set (at least 12 characters, else
    ConfigError), otherwise a generated one that ``announce`` shows once: it is not kept anywhere but
    as a hash, so the operator must note it then.
    """
    if path.exists():
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            _log.warning("the management users file %s is readable by others: chmod 600 it", path)
        return UserStore.load(path, hasher)
    configured = configured_admin_password(env)
    if configured is not None and len(configured) < MIN_PASSWORD_LENGTH:
        raise ConfigError(
            f"{ADMIN_PASSWORD_ENV} must have at least {MIN_PASSWORD_LENGTH} characters"
            f" (got {len(configured)})"
        )
    password = configured or secrets.token_urlsafe(18)
    store = UserStore(hasher=hasher)
    store.add("admin", password, "admin")
    try:
        store.save(path)
    except OSError as exc:
        raise ConfigError(f"the management users file {path} cannot be written: {exc}") from exc
    if configured is None:
        announce(
            f"management API: created user admin with password {password} (shown only now; "
            f"stored hashed in {path})"
        )
    else:
        announce(f"management API: created user admin with the password of {ADMIN_PASSWORD_ENV} in {path}")
    return store
