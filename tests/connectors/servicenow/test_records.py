"""ServiceNow Table API operations against the fake instance: records read, listed with encoded queries
and paged by the Link header, created, changed and deleted; basic auth and OAuth2 (an expired token
refreshed once); failures in ServiceNow's words, throttling waited out."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from tests.connectors.servicenow.conftest import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
from tests.connectors.servicenow.fakeservicenow import FakeServiceNow

from interlace.connectors.servicenow import ServiceNowConfig, ServiceNowConnection, connector
from interlace.sdk import ConnectorError, FatalError, InvalidInput, RetryableError

UNKNOWN = "0" * 32


async def run(conn: ServiceNowConnection, operation: str, **values: Any) -> Any:
    return await connector.get_operation(operation).invoke(conn, values)


async def test_a_record_is_created_read_changed_and_deleted(
    fake: FakeServiceNow, servicenow: ServiceNowConnection
) -> None:
    created = await run(
        servicenow, "createRecord", table="incident", record={"short_description": "Printer down"}
    )
    sys_id = created["sys_id"]
    changed = await run(servicenow, "updateRecord", table="incident", sysId=sys_id, record={"state": "6"})
    read = await run(servicenow, "getRecord", table="incident", sysId=sys_id, fields=["number", "state"])
    deleted = await run(servicenow, "deleteRecord", table="incident", sysId=sys_id)

    assert created["number"].startswith("INC") and changed["state"] == "6"
    assert read == {"number": created["number"], "state": "6"}
    assert deleted == {"sys_id": sys_id, "deleted": True}
    assert fake.tables["incident"] == {}
    assert [method for method, _, _ in fake.calls] == ["POST", "PATCH", "GET", "DELETE"]


async def test_records_are_listed_by_encoded_query_a_page_at_a_time_or_all_at_once(
    fake: FakeServiceNow, servicenow: ServiceNowConnection
) -> None:
    for number in range(5):
        fake.insert("incident", short_description=f"issue {number}", priority="1", active="true")
    fake.insert("incident", short_description="minor", priority="4", active="true")
    query = "active=true^priority=1^ORDERBYshort_description"

    first = await run(
        servicenow, "listRecords", table="incident", query=query, limit=2, fields=["short_description"]
    )
    second = await run(
        servicenow, "listRecords", table="incident", query=query, limit=2, offset=first["nextOffset"]
    )
    every = await run(servicenow, "listRecords", table="incident", query=query, limit=2, allPages=True)

    assert first["records"] == [{"short_description": "issue 0"}, {"short_description": "issue 1"}]
    assert first["nextOffset"] == 2 and second["nextOffset"] == 4
    assert [r["short_description"] for r in every["records"]] == [f"issue {n}" for n in range(5)]
    assert every["nextOffset"] is None
    assert fake.calls[0][2]["sysparm_query"] == query


async def test_an_unknown_record_is_invalid_input_in_servicenows_words(
    servicenow: ServiceNowConnection,
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await run(servicenow, "getRecord", table="incident", sysId=UNKNOWN)

    assert str(raised.value) == (
        "servicenow.getRecord on connection itsm: ServiceNow refused the request (404: No Record found"
        " (Record doesn't exist or ACL restricts the record retrieval))"
    )


async def test_an_invalid_table_is_invalid_input(servicenow: ServiceNowConnection) -> None:
    with pytest.raises(InvalidInput, match=r"400: Invalid table u_nosuch"):
        await run(servicenow, "listRecords", table="u_nosuch")


async def test_values_that_would_change_the_path_never_reach_the_instance(
    fake: FakeServiceNow, servicenow: ServiceNowConnection
) -> None:
    with pytest.raises(InvalidInput, match="must be a sys_id"):
        await run(servicenow, "deleteRecord", table="incident", sysId="../sys_user/x")
    with pytest.raises(InvalidInput, match="must be a table name"):
        await run(servicenow, "listRecords", table="incident/../../x")
    assert fake.calls == []


async def test_wrong_basic_credentials_are_fatal(fake: FakeServiceNow, config_for: Any) -> None:
    async with ServiceNowConnection(config_for(fake, password="wrong-s3cret"), name="itsm") as conn:
        with pytest.raises(FatalError, match="401: User Not Authenticated"):
            await conn.ping()


async def test_a_throttled_call_is_waited_out_then_sent_again(
    fake: FakeServiceNow, servicenow: ServiceNowConnection, waits: list[float]
) -> None:
    fake.insert("incident", short_description="x")
    fake.throttle(2, retry_after="5")

    listed = await run(servicenow, "listRecords", table="incident")

    assert len(listed["records"]) == 1 and waits == [5.0, 5.0]


async def test_throttling_that_lasts_is_retryable_with_its_retry_after(
    fake: FakeServiceNow, servicenow: ServiceNowConnection
) -> None:
    fake.throttle(3, retry_after="5")

    with pytest.raises(RetryableError, match="429: Rate limit exceeded") as raised:
        await run(servicenow, "listRecords", table="incident")
    assert raised.value.retry_after == 5.0


async def test_oauth2_tokens_are_refreshed_once_when_expired(
    fake: FakeServiceNow, oauth2_config: ServiceNowConfig
) -> None:
    async with ServiceNowConnection(oauth2_config, name="itsm") as conn:
        await conn.ping()
        fake.expire_tokens()
        await run(conn, "listRecords", table="incident")
        assert conn.tokens is not None and conn.tokens.refreshes == 2

    assert fake.token_requests[0] == {
        "grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
    }  # fmt: skip


async def test_a_revoked_grant_is_fatal(fake: FakeServiceNow, config_for: Any) -> None:
    config = config_for(
        fake, auth="oauth2", username=None, password=None,
        **{"client-id": CLIENT_ID, "client-secret": CLIENT_SECRET, "refresh-token": "revoked-t0ken"},
    )  # fmt: skip
    async with ServiceNowConnection(config, name="itsm") as conn:
        with pytest.raises(FatalError, match="invalid_grant"):
            await conn.ping()


def test_each_auth_needs_its_credentials(fake: FakeServiceNow, config_for: Any) -> None:
    with pytest.raises(ValueError, match="auth basic needs username and password"):
        config_for(fake, password=None)
    with pytest.raises(ValueError, match="auth oauth2 needs client-id and client-secret"):
        config_for(fake, auth="oauth2")


async def test_no_credential_shows_in_a_log_line_or_an_error(
    fake: FakeServiceNow, config_for: Any, oauth2_config: ServiceNowConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    for config in (config_for(fake, password="wrong-s3cret"), oauth2_config):
        async with ServiceNowConnection(config, name="itsm") as conn:
            fake.expire_tokens()
            try:
                await run(conn, "getRecord", table="incident", sysId=UNKNOWN)
            except ConnectorError as exc:
                shown += [str(exc), repr(exc)]
            shown += [repr(conn), repr(config), config.model_dump_json()]

    assert len(shown) == 10 and not [text for text in shown if "s3cret" in text or "t0ken" in text]
