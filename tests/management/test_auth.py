"""Logging in and out, tokens, roles and the slowing down of password guessing, over HTTP."""

from __future__ import annotations

import aiohttp
import jwt
import pytest

from tests.management.conftest import ADMIN_PASSWORD, Managed

PROCESSOR = "/management/processors/ForwardOrders"


async def test_a_login_gives_a_bearer_token_that_opens_the_api(managed: Managed) -> None:
    login = await managed.login("admin")
    assert login.status == 200
    assert login.json["tokenType"] == "Bearer"
    assert login.json["user"] == "admin"
    assert login.json["role"] == "admin"
    assert login.json["expiresIn"] == 3600
    assert login.json["expiresAt"] == "2023-11-14T23:13:20.000Z"
    session = await managed.call("GET", "/management/session", token=login.json["token"])
    assert session.json == {"user": "admin", "role": "admin", "expiresAt": "2023-11-14T23:13:20.000Z"}


async def test_a_request_without_a_token_is_refused_with_401(managed: Managed) -> None:
    answer = await managed.call("GET", "/management/apis")
    assert answer.status == 401
    assert answer.error_code == "UNAUTHORIZED"
    assert "log in with POST /management/login" in answer.json["error"]["message"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


async def test_a_token_of_another_scheme_or_a_malformed_one_is_refused(managed: Managed) -> None:
    basic = await managed.call("GET", "/management/apis", headers={"Authorization": "Basic YWRtaW46eA=="})
    garbage = await managed.call("GET", "/management/apis", token="not.a.jwt")
    assert (basic.status, garbage.status) == (401, 401)
    assert garbage.json["error"]["message"] == "the token is not valid: log in again"


ADMIN_CLAIMS = {
    "sub": "admin",
    "role": "admin",
    "jti": "x",
    "iat": 0,
    "exp": 2_000_000_000,
    "iss": "interlace-management",
}
"""An admin's token claims, as the server would issue them (but for the signature)."""


async def test_a_token_signed_with_another_key_is_refused(managed: Managed) -> None:
    forged = jwt.encode(ADMIN_CLAIMS, "another-key-of-at-least-32-bytes!!", algorithm="HS256")
    answer = await managed.call("GET", "/management/apis", token=forged)
    assert answer.status == 401
    assert answer.json["error"]["message"] == "the token is not valid: log in again"


async def test_an_unsigned_token_is_refused(managed: Managed) -> None:
    unsigned = jwt.encode(ADMIN_CLAIMS, None, algorithm="none")
    assert (await managed.call("GET", "/management/apis", token=unsigned)).status == 401


@pytest.mark.parametrize(
    ("issued", "expires"),
    [
        (1_700_000_000, 1_700_000_000 + 10 * 365 * 86400),  # signed for ten years
        (None, 1_700_000_600),  # no issue time
        (1_700_000_300, 1_700_000_600),  # issued in the future
    ],
)
async def test_a_well_signed_token_that_outlives_the_lifetime_is_refused(
    managed: Managed, issued: int | None, expires: int
) -> None:
    claims: dict[str, object] = {"sub": "admin", "role": "admin", "jti": "minted", "exp": expires}
    claims |= {"iss": "interlace-management"} | ({} if issued is None else {"iat": issued})
    minted = jwt.encode(claims, b"k" * 32, algorithm="HS256")  # the server's own key

    answer = await managed.call("GET", "/management/apis", token=minted)

    assert answer.status == 401
    assert answer.json["error"]["message"].startswith("the token is not valid")
    assert (await managed.call("GET", "/management/apis", token=await managed.token())).status == 200


async def test_an_expired_token_is_refused(managed: Managed, admin: str) -> None:
    managed.wall.advance(3599)
    assert (await managed.call("GET", "/management/apis", token=admin)).status == 200
    managed.wall.advance(1)
    answer = await managed.call("GET", "/management/apis", token=admin)
    assert answer.status == 401
    assert answer.json["error"]["message"] == "the token has expired: log in again"


async def test_logout_revokes_only_the_token_it_was_sent_with(managed: Managed) -> None:
    first, second = await managed.token("admin"), await managed.token("admin")
    logout = await managed.call("POST", "/management/logout", token=first)
    assert logout.status == 200
    revoked = await managed.call("GET", "/management/apis", token=first)
    assert revoked.status == 401
    assert revoked.json["error"]["message"] == "the token was revoked (logged out): log in again"
    assert (await managed.call("GET", "/management/apis", token=second)).status == 200


async def test_a_monitor_reads_but_may_not_change_anything(managed: Managed, monitor: str) -> None:
    assert (await managed.call("GET", PROCESSOR, token=monitor)).status == 200
    for method, path in [
        ("POST", f"{PROCESSOR}/activate"),
        ("POST", "/management/endpoints/Backend/deactivate"),
        ("POST", "/management/stores/Orders/purge"),
        ("DELETE", "/management/stores/Orders/messages/x"),
        ("POST", "/management/connections/cache/test"),
        ("PUT", "/management/logging/interlace"),
    ]:
        answer = await managed.call(method, path, token=monitor, json={"level": "DEBUG"})
        assert answer.status == 403, (method, path)
        assert answer.error_code == "FORBIDDEN"
    assert (await managed.call("GET", PROCESSOR, token=monitor)).json["status"] == "inactive"
    assert (await managed.call("POST", "/management/logout", token=monitor)).status == 200


async def test_an_operator_operates_what_runs_but_may_not_deploy(managed: Managed) -> None:
    managed.server.context.users.add("operator", "operator-s3cret-words", "operator")
    operator = str((await managed.login("operator", "operator-s3cret-words")).json["token"])
    activated = await managed.call("POST", f"{PROCESSOR}/activate", token=operator)
    assert activated.status == 200
    assert (await managed.call("POST", "/management/stores/Orders/purge", token=operator)).status == 200
    level = await managed.call(
        "PUT", "/management/logging/interlace.flow", token=operator, json={"level": "NOTSET"}
    )
    assert level.status == 200
    for method, path in [
        ("POST", "/management/deployments/shop/rollback"),
        ("DELETE", "/management/deployments/shop"),
        ("POST", "/management/connections/cache/test"),
    ]:
        answer = await managed.call(method, path, token=operator)
        assert answer.status == 403, (method, path)
        assert answer.json["error"]["message"].startswith("operator is an operator: only an admin may")
    assert "shop" in managed.runtime.deployments.running


async def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(managed: Managed) -> None:
    wrong = await managed.login("admin", "not-the-password")
    unknown = await managed.login("nobody", "not-the-password")
    assert (wrong.status, unknown.status) == (401, 401)
    for answer in (wrong, unknown):
        error = answer.json["error"]
        assert (error["code"], error["message"]) == ("UNAUTHORIZED", "wrong user name or password")
        assert set(error) == {"code", "message", "correlationId"}


async def test_login_needs_a_user_and_a_password(managed: Managed) -> None:
    missing = await managed.call("POST", "/management/login", json={"user": "admin"})
    not_json = await managed.call("POST", "/management/login", data=b"user=admin")
    empty = await managed.call("POST", "/management/login")
    assert (missing.status, not_json.status, empty.status) == (400, 400, 400)
    assert missing.json["error"]["message"] == "body: 'password' is a required property"
    assert not_json.json["error"]["message"].startswith("the body must be JSON")
    assert empty.json["error"]["message"] == "this needs a JSON body"


async def test_repeated_failed_logins_lock_the_client_out_for_a_doubling_time(managed: Managed) -> None:
    for _ in range(5):
        assert (await managed.login("admin", "guess")).status == 401
    locked = await managed.login("admin", ADMIN_PASSWORD)  # even the right password waits
    assert locked.status == 429
    assert locked.error_code == "TOO_MANY_ATTEMPTS"
    assert locked.headers["Retry-After"] == "1"
    assert locked.json["error"]["message"] == "too many failed logins: try again in 1s"
    managed.mono.advance(1)
    assert (await managed.login("admin", "guess")).status == 401  # the 6th failure: locked for 2s
    managed.mono.advance(1.5)
    assert (await managed.login("admin", "guess")).headers["Retry-After"] == "1"
    managed.mono.advance(0.5)
    assert (await managed.login("admin", ADMIN_PASSWORD)).status == 200


async def test_failed_logins_from_other_addresses_do_not_lock_the_admin_out(managed: Managed) -> None:
    guess = {"user": "admin", "password": "guess"}
    for host in range(2, 14):  # twelve guessing clients, each from its own loopback address
        connector = aiohttp.TCPConnector(local_addr=(f"127.0.0.{host}", 0))
        async with (
            aiohttp.ClientSession(managed.server.url, connector=connector) as guesser,
            guesser.post("/management/login", json=guess) as answer,
        ):
            assert answer.status == 401

    assert (await managed.login("admin")).status == 200  # from 127.0.0.1


async def test_a_successful_login_forgives_earlier_failures(managed: Managed) -> None:
    for _ in range(4):
        await managed.login("admin", "guess")
    assert (await managed.login("admin")).status == 200
    for _ in range(4):
        assert (await managed.login("admin", "guess")).status == 401
    assert (await managed.login("admin")).status == 200


async def test_public_routes_answer_without_a_token(managed: Managed) -> None:
    assert (await managed.call("GET", "/management/health")).json == {"status": "ok"}
    assert (await managed.call("GET", "/management/ready")).json == {"status": "ready"}
    assert (await managed.call("GET", "/management/openapi.json")).json["openapi"] == "3.1.0"


async def test_tokens_and_passwords_never_reach_the_log(managed: Managed) -> None:
    token = await managed.token("admin")
    await managed.login("admin", "a-guessed-password")
    await managed.login("a-password-in-the-user-field", "x")
    await managed.call("GET", "/management/apis", token=token)
    await managed.call("POST", "/management/logout", token=token)
    await managed.call("GET", "/management/apis", token=token)
    lines = [line.message for line in managed.server.logs.lines(1000)]
    assert any("logged in" in line for line in lines)
    assert any("failed login of 'admin'" in line for line in lines)
    assert any("failed login of an unknown user" in line for line in lines)
    for secret in (token, ADMIN_PASSWORD, "a-guessed-password", "a-password-in-the-user-field"):
        assert not any(secret in line for line in lines)
