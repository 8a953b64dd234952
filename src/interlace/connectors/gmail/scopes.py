"""The Gmail OAuth2 scopes the operations need (asked for when an account is authorized)."""

from __future__ import annotations

__all__ = ["MODIFY", "READ", "SEND"]

SEND = "https://www.googleapis.com/auth/gmail.send"
READ = "https://www.googleapis.com/auth/gmail.readonly"
MODIFY = "https://www.googleapis.com/auth/gmail.modify"
