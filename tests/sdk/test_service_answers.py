"""The SDK's pieces for one service's web API: a service's failures sorted by what helps, in its own
words, and the JWT assertion of the jwt_bearer grant, which never shows the key."""

from __future__ import annotations

import jwt
import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from interlace.sdk import Answer, FatalError, InvalidInput, RetryableError, ServiceErrors, jwt_assertion
from interlace.sdk.answers import raise_for_answer
from tests.support import rsa_key_pair

ERRORS = ServiceErrors(
    "Example",
    lambda document: str(document.get("problem", "")) if isinstance(document, dict) else "",
    retryable=lambda answer: b"quota" in answer.body,
)


def answer(status: int, body: bytes = b"", **headers: str) -> Answer:
    given = CIMultiDictProxy(CIMultiDict({"Content-Type": "application/json", **headers}))
    return Answer.of(status, "Reason", given, body)


@pytest.mark.parametrize(
    ("status", "body", "error", "words"),
    [
        (
            400,
            b'{"problem": "name is required"}',
            InvalidInput,
            "Example refused the request (400: name is required)",
        ),
        (300, b'["/a", "/b"]', InvalidInput, "Example refused the request (300 Reason)"),
        (404, b'{"problem": "no such record"}', InvalidInput, "(404: no such record)"),
        (404, b"<html>not here</html>", FatalError, "the URL is not Example's API"),
        (401, b'{"problem": "expired"}', FatalError, "Example refused the credentials (401: expired)"),
        (403, b'{"problem": "no rights"}', FatalError, "Example denied access (403: no rights)"),
        (403, b'{"problem": "quota"}', RetryableError, "unavailable or throttling (403: quota)"),
        (503, b"", RetryableError, "unavailable or throttling (503 Reason)"),
    ],
)
def test_a_failure_is_the_error_that_says_what_helps_in_the_services_words(
    status: int, body: bytes, error: type[Exception], words: str
) -> None:
    with pytest.raises(error) as raised:
        raise_for_answer(answer(status, body), "example.op on connection c", ERRORS)

    assert str(raised.value).startswith("example.op on connection c: ")
    assert words in str(raised.value)


def test_a_throttled_answer_carries_its_retry_after_and_a_success_passes() -> None:
    with pytest.raises(RetryableError) as raised:
        raise_for_answer(answer(429, b"{}", **{"Retry-After": "12"}), "here", ERRORS)

    assert raised.value.retry_after == 12.0
    raise_for_answer(answer(204), "here", ERRORS)


def test_a_jwt_assertion_is_signed_fresh_with_the_claims_asked_for() -> None:
    keys = rsa_key_pair()
    now = [1_700_000_000.0]
    make = jwt_assertion(
        keys[0], issuer="app", audience="https://login.example", subject="user", claims={"scope": "s"},
        lifetime=120, clock=lambda: now[0],
    )  # fmt: skip

    first = jwt.decode(make(), keys[1], algorithms=["RS256"], audience="https://login.example",
                       options={"verify_exp": False})  # fmt: skip
    now[0] += 60
    second = jwt.decode(make(), keys[1], algorithms=["RS256"], audience="https://login.example",
                        options={"verify_exp": False})  # fmt: skip

    assert (first["iss"], first["sub"], first["scope"]) == ("app", "user", "s")
    assert first["exp"] - first["iat"] == 120
    assert second["iat"] == first["iat"] + 60


def test_a_key_that_cannot_sign_is_fatal_without_showing_it() -> None:
    make = jwt_assertion("not-a-pem-s3cret", issuer="app", audience="aud")

    with pytest.raises(FatalError, match="must be an RSA key in PEM form") as raised:
        make()
    assert "s3cret" not in str(raised.value)
