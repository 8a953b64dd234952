"""The state of a project's OAuth2 grants, as the runtime left it: whether a refresh token is held (stored
by ``interlace connection authorize`` or a rotation, or configured), the access token's expiry, the
granted scopes and the last refresh's outcome. Tokens themselves are never part of it."""

from __future__ import annotations

from typing import Any

from interlace.cli.authorize import oauth2_connections
from interlace.errors import ConfigError
from interlace.model import Project
from interlace.runtime.token_store import STATE_DIR, LazyTokenStore, read_note

__all__ = ["grant_statuses"]


async def grant_statuses(project: Project, only: str | None = None) -> list[dict[str, Any]]:
    """One row per OAuth2 connection (or only ``only``): ``name``, ``connector``, ``grant``,
    ``refreshToken`` (``stored``, ``configured``, ``none`` or ``not needed``), ``accessTokenExpires``,
    ``scopes`` and ``lastRefresh`` (when and its outcome)."""
    connections = oauth2_connections(project)
    if only is not None and only not in connections:
        known = ", ".join(sorted(connections)) or "none"
        raise ConfigError(
            f"no OAuth2 connection named {only!r} in {project.root} (OAuth2 connections: {known})"
        )
    folder = project.root / STATE_DIR
    # Without a tokens file nothing is stored: do not create a key just to look.
    store = LazyTokenStore(folder) if (folder / "tokens").exists() else None
    rows: list[dict[str, Any]] = []
    for name, connection in sorted(connections.items()):
        if only is not None and name != only:
            continue
        settings = connection.settings
        if settings.grant != "refresh_token":
            held = "not needed"
        elif store is not None and await store.load(name):
            held = "stored"
        else:
            held = "configured" if settings.refresh_token else "none"
        note = read_note(folder, name)
        rows.append(
            {
                "name": name,
                "connector": connection.connector.name,
                "grant": settings.grant,
                "refreshToken": held,
                "accessTokenExpires": note.expires_at.isoformat(timespec="seconds")
                if note and note.expires_at
                else None,
                "scopes": list(note.scopes) if note else [],
                "lastRefresh": f"{note.at.isoformat(timespec='seconds')} {note.outcome}" if note else None,
            }
        )
    return rows
