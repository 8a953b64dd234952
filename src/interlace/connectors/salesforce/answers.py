"""How Salesforce words its failures, for the SDK's answer-to-error mapping.

The REST API answers a failure with a JSON array of ``{"message", "errorCode", "fields"}``:
``INVALID_SESSION_ID`` with 401 (an expired token: refreshed once, then a FatalError),
``REQUIRED_FIELD_MISSING``, ``MALFORMED_QUERY``, ``INVALID_FIELD`` with 400 (InvalidInput),
``NOT_FOUND`` with 404 (InvalidInput), ``REQUEST_LIMIT_EXCEEDED`` with 403 (the org's API limit:
RetryableError), ``SERVER_UNAVAILABLE`` with 503 (RetryableError, waited out first).
"""

from __future__ import annotations

from typing import Final

from interlace.sdk import Answer, ServiceErrors

__all__ = ["SALESFORCE_ERRORS", "describe"]

_LIMITS: Final = frozenset({"REQUEST_LIMIT_EXCEEDED", "TOO_MANY_REQUESTS"})


def _errors(document: object) -> list[dict[str, object]]:
    if isinstance(document, dict):
        document = [document]
    if not isinstance(document, list):
        return []
    return [item for item in document if isinstance(item, dict) and "errorCode" in item]


def describe(document: object) -> str:
    """The errors of an answer as ``CODE: message (fields: A, B)``, joined by ``; ``; the records an
    ambiguous external id matched (a 300's list of their URLs)."""
    if isinstance(document, list) and document and all(isinstance(item, str) for item in document):
        return f"the external id matches {len(document)} records: {', '.join(document[:5])}"
    words = []
    for error in _errors(document):
        fields = error.get("fields")
        named = f" (fields: {', '.join(map(str, fields))})" if isinstance(fields, list) and fields else ""
        words.append(f"{error.get('errorCode')}: {error.get('message', '')}{named}")
    return "; ".join(words)


def _over_limit(answer: Answer) -> bool:
    return answer.status == 403 and any(code in answer.body.decode(errors="replace") for code in _LIMITS)


SALESFORCE_ERRORS: Final = ServiceErrors("Salesforce", describe, retryable=_over_limit)
