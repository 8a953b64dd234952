"""TLS for both parts of a connection: the context (system or ``ca-file`` authorities) and its failures."""

from __future__ import annotations

import ssl

from interlace.sdk import FatalError

__all__ = ["tls_cause", "tls_context", "tls_failure"]


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """A client context verifying certificates and host names against the system's authorities, or
    only those in ``ca_file``. Blocking (it reads files): call it off the event loop."""
    return ssl.create_default_context(cafile=ca_file)


def tls_cause(exc: BaseException) -> ssl.SSLError | None:
    """The TLS failure behind ``exc`` (clients wrap it in their own errors), if there is one."""
    seen: BaseException | None = exc
    for _ in range(8):  # chains are short; the bound guards against a cycle
        if seen is None or isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def tls_failure(exc: BaseException, where: str) -> FatalError | None:
    """The error for a failed TLS handshake behind ``exc`` with ``where``; ``None`` if TLS did not fail."""
    cause = tls_cause(exc)
    if isinstance(cause, ssl.SSLCertVerificationError):
        return FatalError(
            f"{where} has a certificate this connection does not trust ({cause.verify_message});"
            " set ca-file to the authority that signed it"
        )
    if cause is not None:
        return FatalError(f"TLS with {where} failed: {cause.reason or cause}")
    return None
