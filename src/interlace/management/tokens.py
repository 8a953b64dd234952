"""Login tokens: signed JWTs (HS256) with an expiry, and the set of tokens revoked by logging out.

The signing key is random per server unless ``INTERLACE_MANAGEMENT_KEY`` gives one (at least 32
characters; the same key on every node lets one token work on all of them). With a random key every
token ends when the server stops. Revoked tokens are remembered until they would have expired anyway.

A token lives at most the configured lifetime: one whose expiry lies further from its issue time than
that, or whose issue time is missing or in the future, is refused even when its signature is good (a
token minted with the key by hand, or by a server configured with a longer lifetime).
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from interlace.errors import ConfigError
from interlace.management.errors import UnauthorizedError
from interlace.management.users import ROLES, Role, User

__all__ = ["KEY_ENV", "Identity", "IssuedToken", "TokenIssuer", "signing_key"]

KEY_ENV: Final = "INTERLACE_MANAGEMENT_KEY"
_ALGORITHM: Final = "HS256"
_ISSUER: Final = "interlace-management"
_REQUIRED: Final = ["exp", "iat", "sub", "jti", "role", "iss"]
_LEEWAY: Final = 5.0
"""Seconds of clock difference between nodes sharing a key that an issue time may be ahead by."""

Clock = Callable[[], float]
"""Seconds since the epoch (``time.time``): token expiries are absolute times."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a valid token speaks for."""

    user: str
    role: Role
    token_id: str
    expires_at: float


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token just issued at login (the token text is shown to its user only)."""

    token: str
    identity: Identity

    def __repr__(self) -> str:
        return f"IssuedToken(user={self.identity.user!r})"


def signing_key(env: Mapping[str, str]) -> bytes:
    """``INTERLACE_MANAGEMENT_KEY`` when set (ConfigError if shorter than 32 characters), else random."""
    configured = env.get(KEY_ENV, "")
    if not configured:
        return secrets.token_bytes(32)
    if len(configured) < 32:
        raise ConfigError(f"{KEY_ENV} must have at least 32 characters (got {len(configured)})")
    return configured.encode("utf-8")


class TokenIssuer:
    """Issues, checks and revokes tokens; one event loop, no awaits inside."""

    def __init__(self, key: bytes, lifetime: float = 3600.0, clock: Clock = time.time) -> None:
        if lifetime <= 0:
            raise ValueError(f"token lifetime must be > 0 (got {lifetime})")
        self._key = key
        self._lifetime = lifetime
        self._clock = clock
        self._revoked: dict[str, float] = {}  # token id -> its expiry

    @property
    def lifetime(self) -> float:
        return self._lifetime

    def issue(self, user: User) -> IssuedToken:
        now = self._clock()
        identity = Identity(user.name, user.role, uuid.uuid4().hex, int(now + self._lifetime))
        claims = {
            "sub": identity.user,
            "role": identity.role,
            "jti": identity.token_id,
            "iat": int(now),
            "exp": identity.expires_at,
            "iss": _ISSUER,
        }
        import jwt  # at the first login, not at start

        return IssuedToken(jwt.encode(claims, self._key, algorithm=_ALGORITHM), identity)

    def verify(self, token: str) -> Identity:
        """The identity of a valid token; UnauthorizedError when it is malformed, not signed with this
        server's key, expired or revoked. The message never repeats the token."""
        import jwt

        try:
            # Expiry is checked below against the injected clock, not the library's own.
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                issuer=_ISSUER,
                options={"require": _REQUIRED, "verify_exp": False, "verify_iat": False},
            )
        except (jwt.PyJWTError, UnicodeError) as exc:  # UnicodeError: bytes a header cannot hold as text
            raise UnauthorizedError("the token is not valid: log in again") from exc
        expires_at, issued_at, role = claims["exp"], claims["iat"], claims["role"]
        if (
            not isinstance(expires_at, int | float)
            or not isinstance(issued_at, int | float)
            or role not in ROLES
        ):
            raise UnauthorizedError("the token is not valid: log in again")
        now = self._clock()
        # Issue and expiry times are whole seconds: the lifetime may round up by one.
        if issued_at > now + _LEEWAY or expires_at - issued_at > self._lifetime + 1:
            raise UnauthorizedError("the token is not valid: it outlives the allowed lifetime; log in again")
        if expires_at <= now:
            raise UnauthorizedError("the token has expired: log in again")
        token_id = str(claims["jti"])
        if token_id in self._revoked:
            raise UnauthorizedError("the token was revoked (logged out): log in again")
        return Identity(str(claims["sub"]), role, token_id, float(expires_at))

    def revoke(self, identity: Identity) -> None:
        """Refuse the token from now on; forget revoked tokens that have expired meanwhile."""
        now = self._clock()
        for token_id, expires_at in list(self._revoked.items()):
            if expires_at <= now:
                del self._revoked[token_id]
        self._revoked[identity.token_id] = identity.expires_at
