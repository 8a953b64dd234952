"""Salesforce's OAuth2: the JWT bearer flow and the refresh token flow against the fake org's token
endpoint, the instance URL taken from its answer, an expired session refreshed once, refusals fatal."""

from __future__ import annotations

import logging
from typing import Any

import jwt
import pytest
from tests.connectors.salesforce.conftest import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, USERNAME
from tests.connectors.salesforce.fakesalesforce import FakeSalesforce

from interlace.connectors.salesforce import SalesforceConnection, connector
from interlace.sdk import ConnectorError, FatalError


async def test_the_jwt_bearer_flow_signs_an_assertion_for_the_user_and_uses_the_instance_url(
    fake: FakeSalesforce, salesforce: SalesforceConnection, keys: tuple[str, str]
) -> None:
    await salesforce.ping()

    (form,) = fake.token_requests
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert "client_secret" not in form
    claims = jwt.decode(form["assertion"], keys[1], algorithms=["RS256"], audience=fake.url)
    assert (claims["iss"], claims["sub"]) == (CLIENT_ID, USERNAME)
    assert 0 < claims["exp"] - claims["iat"] <= 300
    assert await salesforce.instance_url() == fake.url


async def test_the_refresh_token_flow_sends_the_apps_secret_and_the_users_token(
    fake: FakeSalesforce, config_for: Any
) -> None:
    config = config_for(
        fake, grant="refresh_token", username=None, **{"private-key": None, "client-secret": CLIENT_SECRET,
                                                        "refresh-token": REFRESH_TOKEN},
    )  # fmt: skip
    async with SalesforceConnection(config, name="crm") as conn:
        await conn.ping()

    (form,) = fake.token_requests
    assert form == {
        "grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
    }  # fmt: skip


async def test_an_expired_session_is_refreshed_once_and_the_call_sent_again(
    fake: FakeSalesforce, salesforce: SalesforceConnection
) -> None:
    fake.insert("Account", Name="Oak")
    await salesforce.ping()
    fake.expire_sessions()

    page = await connector.get_operation("query").invoke(salesforce, {"soql": "SELECT Name FROM Account"})

    assert page["totalSize"] == 1
    assert salesforce.tokens.refreshes == 2
    assert [call for call in fake.calls if call[1] == "/v62.0/query"] == [("GET", "/v62.0/query")] * 2


async def test_a_session_refused_even_after_a_refresh_is_fatal(
    fake: FakeSalesforce, salesforce: SalesforceConnection
) -> None:
    await salesforce.ping()
    fake.locked = True

    with pytest.raises(FatalError, match="401: INVALID_SESSION_ID: Session expired or invalid"):
        await salesforce.ping()
    assert salesforce.tokens.refreshes == 2


async def test_an_assertion_for_a_user_who_did_not_approve_the_app_is_fatal_with_salesforces_words(
    fake: FakeSalesforce, config_for: Any
) -> None:
    async with SalesforceConnection(config_for(fake, username="someone@example.com"), name="crm") as conn:
        with pytest.raises(
            FatalError, match=r"refused the JWT assertion \(invalid_grant: user hasn't approved"
        ):
            await conn.ping()


async def test_a_revoked_refresh_token_is_fatal(fake: FakeSalesforce, config_for: Any) -> None:
    config = config_for(
        fake, grant="refresh_token", username=None, **{"private-key": None, "client-secret": CLIENT_SECRET,
                                                        "refresh-token": "revoked-t0ken"},
    )  # fmt: skip
    async with SalesforceConnection(config, name="crm") as conn:
        with pytest.raises(FatalError, match=r"revoked or expired \(invalid_grant"):
            await conn.ping()


def test_each_grant_must_have_its_credentials(config_for: Any, fake: FakeSalesforce) -> None:
    with pytest.raises(ValueError, match="jwt_bearer grant needs username and private-key"):
        config_for(fake, username=None)
    with pytest.raises(ValueError, match="refresh_token grant needs client-secret"):
        config_for(fake, grant="refresh_token")
    with pytest.raises(ValueError, match=r"api-version must look like 62\.0"):
        config_for(fake, **{"api-version": "v62"})


async def test_no_credential_shows_in_a_log_line_or_an_error(
    fake: FakeSalesforce, config_for: Any, keys: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    config = config_for(
        fake, grant="refresh_token", username=None, **{"private-key": None, "client-secret": CLIENT_SECRET,
                                                        "refresh-token": REFRESH_TOKEN},
    )  # fmt: skip
    async with SalesforceConnection(config, name="crm") as conn:
        for values in ({"soql": "SELEKT"}, {"soql": "SELECT Id FROM Account"}):
            fake.expire_sessions()
            try:
                await connector.get_operation("query").invoke(conn, values)
            except ConnectorError as exc:
                shown += [str(exc), repr(exc)]
        shown += [repr(conn), repr(config), config.model_dump_json()]

    private_key_line = keys[0].splitlines()[1]
    assert shown and not [
        text for text in shown if "s3cret" in text or "t0ken" in text or private_key_line in text
    ]
    assert private_key_line not in caplog.text
