"""Refresh tokens at rest: a file encrypted with Fernet, so a rotated token survives a restart and
is never readable on disk.

The key comes from ``INTERLACE_SECRET_KEY`` (one or more comma-separated Fernet keys; the first
encrypts, all decrypt, so keys can be rotated) or, when unset, from a key file generated next to the
tokens with owner-only permissions. Writes are atomic (temporary file, then rename).

Beside the tokens, ``notes.json`` keeps each connection's last refresh (when, its outcome, the access
token's expiry, the granted scopes): no secret, so it stays readable without the key.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from interlace.errors import ConfigError
from interlace.observability.metrics import Metrics
from interlace.sdk import RefreshNote

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

__all__ = ["KEY_ENV", "STATE_DIR", "EncryptedTokenStore", "LazyTokenStore", "load_fernet", "read_note"]

KEY_ENV = "INTERLACE_SECRET_KEY"
STATE_DIR = ".interlace"
"""The folder, in a project, where the runtime keeps its state (stores' default file, tokens, key)."""


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


def load_fernet(key_file: Path, env: Mapping[str, str] | None = None) -> MultiFernet:
    """The keys from ``INTERLACE_SECRET_KEY``, else from ``key_file`` (created on first use)."""
    from cryptography.fernet import Fernet, MultiFernet  # at the first token kept, not at start

    env = os.environ if env is None else env
    configured = env.get(KEY_ENV, "").strip()
    try:
        if configured:
            return MultiFernet([Fernet(key.strip().encode()) for key in configured.split(",") if key.strip()])
        if not key_file.exists():
            _write_private(key_file, Fernet.generate_key())
        return MultiFernet([Fernet(key_file.read_bytes().strip())])
    except ValueError as exc:
        source = KEY_ENV if configured else str(key_file)
        raise ConfigError(
            f"{source} must hold Fernet keys (32 url-safe base64-encoded bytes): {exc}"
        ) from exc


class EncryptedTokenStore:
    """Refresh tokens by connection name in one encrypted file (implements the SDK's TokenStore)."""

    def __init__(self, path: Path, fernet: MultiFernet) -> None:
        self._path = path
        self._fernet = fernet
        self._lock = asyncio.Lock()

    def _read(self) -> dict[str, str]:
        from cryptography.fernet import InvalidToken

        try:
            sealed = self._path.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            tokens = orjson.loads(self._fernet.decrypt(sealed))
        except InvalidToken as exc:
            raise ConfigError(
                f"{self._path} cannot be decrypted with the configured key ({KEY_ENV} or the key file)"
            ) from exc
        return {str(key): str(value) for key, value in tokens.items()}

    async def load(self, key: str) -> str | None:
        async with self._lock:
            return (await asyncio.to_thread(self._read)).get(key)

    async def save(self, key: str, refresh_token: str) -> None:
        async with self._lock:

            def update() -> None:
                tokens = self._read()
                tokens[key] = refresh_token
                _write_private(self._path, self._fernet.encrypt(orjson.dumps(tokens)))

            await asyncio.to_thread(update)

    async def note(self, key: str, note: RefreshNote) -> None:
        async with self._lock:
            await asyncio.to_thread(_save_note, self._path.with_name("notes.json"), key, note)


def _read_notes(path: Path) -> dict[str, dict[str, object]]:
    try:
        notes = orjson.loads(path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return {}
    return notes if isinstance(notes, dict) else {}


def _save_note(path: Path, key: str, note: RefreshNote) -> None:
    notes = _read_notes(path)
    notes[key] = {
        "at": note.at.isoformat(),
        "outcome": note.outcome,
        "expiresAt": note.expires_at.isoformat() if note.expires_at else None,
        "scopes": list(note.scopes),
    }
    _write_private(path, orjson.dumps(notes, option=orjson.OPT_INDENT_2))


def read_note(folder: Path, key: str) -> RefreshNote | None:
    """The last refresh noted for connection ``key`` in a state ``folder``; ``None`` if none was."""
    found = _read_notes(folder / "notes.json").get(key)
    if not isinstance(found, dict):
        return None
    expires = found.get("expiresAt")
    scopes = found.get("scopes")
    return RefreshNote(
        at=datetime.fromisoformat(str(found.get("at"))),
        outcome=str(found.get("outcome", "")),
        expires_at=datetime.fromisoformat(expires) if isinstance(expires, str) else None,
        scopes=tuple(map(str, scopes)) if isinstance(scopes, list) else (),
    )


class LazyTokenStore:
    """An :class:`EncryptedTokenStore` in ``folder`` (``tokens`` and ``secret.key``), made on first use so
    that projects without OAuth2 connections never create a key. With ``metrics``, every noted call of a
    token endpoint is counted by connection and outcome."""

    def __init__(
        self, folder: Path, env: Mapping[str, str] | None = None, metrics: Metrics | None = None
    ) -> None:
        self._folder = folder
        self._env = env
        self._store: EncryptedTokenStore | None = None
        self._metrics = metrics

    def _open(self) -> EncryptedTokenStore:
        if self._store is None:
            fernet = load_fernet(self._folder / "secret.key", self._env)
            self._store = EncryptedTokenStore(self._folder / "tokens", fernet)
        return self._store

    async def load(self, key: str) -> str | None:
        return await self._open().load(key)

    async def save(self, key: str, refresh_token: str) -> None:
        await self._open().save(key, refresh_token)

    async def note(self, key: str, note: RefreshNote) -> None:
        if self._metrics is not None:
            self._metrics.oauth2_refresh(
                key, note.outcome if note.outcome in ("ok", "authorized") else "failed"
            )
        await self._open().note(key, note)
