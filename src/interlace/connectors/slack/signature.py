"""Slack's request signatures: is a request really from Slack, and recent?

Slack signs each request with the app's signing secret: ``X-Slack-Signature`` is ``v0=`` and the hex
HMAC-SHA256 of ``v0:{timestamp}:{body}``, where the timestamp is ``X-Slack-Request-Timestamp`` (Unix
seconds) and the body the raw bytes as sent. A request older or newer than five minutes is refused,
so a recorded request cannot be replayed later. Signatures are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

__all__ = ["MAX_AGE", "sign", "signature_problem"]

MAX_AGE: Final = 300.0
"""Seconds a request's timestamp may differ from the receiver's clock."""

_VERSION: Final = "v0"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Slack-Signature`` value of ``body`` sent at ``timestamp`` (Unix seconds, as text)."""
    base = f"{_VERSION}:{timestamp}:".encode() + body
    return f"{_VERSION}=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def signature_problem(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, *, now: float
) -> str | None:
    """Why the request is not a fresh request from Slack (for the log: never the secret or the
    expected signature), or ``None`` when it is."""
    if not timestamp or not signature:
        return "it has no X-Slack-Request-Timestamp or X-Slack-Signature header"
    try:
        sent = int(timestamp)
    except ValueError:
        return "its X-Slack-Request-Timestamp is not a number of seconds"
    if abs(now - sent) > MAX_AGE:
        return f"its timestamp is {round(abs(now - sent))}s away from now (at most {round(MAX_AGE)}s)"
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode()):
        return "its signature does not match the signing secret"
    return None
