"""Google Sheets operations against the fake API: values read, appended, updated and batch-updated, a
spreadsheet created; a user's OAuth2 grant and a service account's key; an expired token refreshed
once; failures in Google's words, throttling waited out."""

from __future__ import annotations

import logging
from typing import Any

import jwt
import pytest
from tests.connectors.sheets.conftest import SERVICE_ACCOUNT
from tests.connectors.sheets.fakesheets import SCOPE, FakeSheets

from interlace.connectors.sheets import SheetsConfig, SheetsConnection, connector
from interlace.sdk import ConnectorError, FatalError, InvalidInput, RetryableError


async def run(conn: SheetsConnection, operation: str, **values: Any) -> Any:
    return await connector.get_operation(operation).invoke(conn, values)


async def test_values_of_a_range_are_read(fake: FakeSheets, sheets: SheetsConnection) -> None:
    shown = await run(sheets, "getValues", spreadsheetId=fake.admissions, range="Patients!A2:C")
    stored = await run(
        sheets,
        "getValues",
        spreadsheetId=fake.admissions,
        range="Patients!C2:C3",
        valueRenderOption="UNFORMATTED_VALUE",
    )

    assert shown["values"] == [["P-1", "Ann", "42"], ["P-2", "Ben", "7"]]
    assert stored["values"] == [[42], [7]]
    assert fake.calls[0][1] == f"spreadsheets/{fake.admissions}/values/Patients!A2:C"


async def test_an_empty_range_has_no_values(fake: FakeSheets, sheets: SheetsConnection) -> None:
    assert (await run(sheets, "getValues", spreadsheetId=fake.admissions, range="Beds"))["values"] == []


async def test_rows_are_appended_after_the_table(fake: FakeSheets, sheets: SheetsConnection) -> None:
    answer = await run(
        sheets,
        "appendValues",
        spreadsheetId=fake.admissions,
        range="Patients!A1",
        values=[["P-3", "Cy", "63"]],
    )

    assert answer["tableRange"] == "Patients!A1:C3"
    assert answer["updates"]["updatedRange"] == "Patients!A4:C4"
    assert fake.spreadsheets[fake.admissions]["sheets"]["Patients"][3] == ["P-3", "Cy", 63]
    assert fake.calls[-1][2] == {"valueInputOption": "USER_ENTERED", "insertDataOption": "INSERT_ROWS"}


async def test_a_range_is_updated_and_several_in_one_batch(
    fake: FakeSheets, sheets: SheetsConnection
) -> None:
    one = await run(
        sheets, "updateValues", spreadsheetId=fake.admissions, range="Patients!B2", values=[["Ann Smith"]],
        valueInputOption="RAW",
    )  # fmt: skip
    batch = await run(
        sheets, "batchUpdateValues", spreadsheetId=fake.admissions,
        data=[{"range": "Beds!A1:B1", "values": [["bed", "patient"]]}, {"range": "Beds!A2", "values": [["12", "P-1"]]}],
    )  # fmt: skip

    assert one["updatedCells"] == 1
    assert batch["totalUpdatedCells"] == 4
    grid = fake.spreadsheets[fake.admissions]["sheets"]
    assert grid["Patients"][1][1] == "Ann Smith"
    assert grid["Beds"] == [["bed", "patient"], [12, "P-1"]]


async def test_a_spreadsheet_is_created_with_its_sheets(fake: FakeSheets, sheets: SheetsConnection) -> None:
    created = await run(sheets, "createSpreadsheet", title="Daily admissions", sheets=["Monday", "Tuesday"])

    assert created["properties"]["title"] == "Daily admissions"
    assert list(fake.spreadsheets[created["spreadsheetId"]]["sheets"]) == ["Monday", "Tuesday"]


async def test_a_range_google_cannot_parse_is_invalid_input_in_googles_words(
    fake: FakeSheets, sheets: SheetsConnection
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await run(sheets, "getValues", spreadsheetId=fake.admissions, range="Wards!A1")

    assert str(raised.value) == (
        "sheets.getValues on connection ward: Google Sheets refused the request (400: INVALID_ARGUMENT:"
        " Unable to parse range: Wards!A1)"
    )


async def test_an_unknown_spreadsheet_is_invalid_input(sheets: SheetsConnection) -> None:
    with pytest.raises(InvalidInput, match="404: NOT_FOUND: Requested entity was not found"):
        await run(sheets, "getValues", spreadsheetId="1NoSuchSpreadsheet000000000", range="A1")


async def test_a_range_that_would_change_the_path_stays_one_segment(
    fake: FakeSheets, sheets: SheetsConnection
) -> None:
    with pytest.raises(InvalidInput, match=r"Unable to parse range: \.\./\.\./x"):
        await run(sheets, "getValues", spreadsheetId=fake.admissions, range="../../x")
    with pytest.raises(InvalidInput, match="must be a spreadsheet id"):
        await run(sheets, "getValues", spreadsheetId="x/../../y", range="A1")


async def test_throttling_is_waited_out_with_growing_waits_when_google_gives_no_retry_after(
    fake: FakeSheets, sheets: SheetsConnection, waits: list[float]
) -> None:
    fake.throttle(2)

    answer = await run(sheets, "getValues", spreadsheetId=fake.admissions, range="Patients!A1")

    assert answer["values"] == [["id"]] and waits == [1.0, 2.0]


async def test_throttling_that_lasts_is_retryable(
    fake: FakeSheets, sheets: SheetsConnection, waits: list[float]
) -> None:
    fake.throttle(3, retry_after="9")

    with pytest.raises(RetryableError, match="429: RESOURCE_EXHAUSTED: Quota exceeded") as raised:
        await run(sheets, "getValues", spreadsheetId=fake.admissions, range="Patients!A1")
    assert raised.value.retry_after == 9.0 and waits == [9.0, 9.0]


async def test_an_expired_token_is_refreshed_once_and_the_call_sent_again(
    fake: FakeSheets, sheets: SheetsConnection
) -> None:
    await sheets.ping()
    fake.expire_tokens()

    await run(sheets, "getValues", spreadsheetId=fake.admissions, range="Patients!A1")

    assert sheets.tokens is not None and sheets.tokens.refreshes == 2
    assert [form["grant_type"] for form in fake.token_requests] == ["refresh_token", "refresh_token"]


async def test_a_service_account_signs_its_assertion_for_the_spreadsheets_scope(
    fake: FakeSheets, service_account_config: SheetsConfig, keys: tuple[str, str]
) -> None:
    async with SheetsConnection(service_account_config, name="ward") as conn:
        answer = await run(conn, "getValues", spreadsheetId=fake.admissions, range="Patients!A1")

    assert answer["values"] == [["id"]]
    (form,) = fake.token_requests
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer" and "client_secret" not in form
    claims = jwt.decode(form["assertion"], keys[1], algorithms=["RS256"], audience=f"{fake.url}/token")
    assert (claims["iss"], claims["scope"]) == (SERVICE_ACCOUNT, SCOPE)


async def test_a_revoked_grant_is_fatal(fake: FakeSheets, config_for: Any) -> None:
    async with SheetsConnection(config_for(fake, **{"refresh-token": "revoked-t0ken"}), name="ward") as conn:
        with pytest.raises(FatalError, match="invalid_grant"):
            await conn.ping()


def test_a_service_account_key_that_is_not_one_is_refused_without_showing_it(
    fake: FakeSheets, config_for: Any
) -> None:
    with pytest.raises(ValueError, match="must be the service account's JSON key") as raised:
        config_for(fake, auth="service_account", **{"service-account-key": "not-json-s3cret"})
    assert "s3cret" not in str(raised.value)
    with pytest.raises(ValueError, match="auth oauth2 needs client-id and client-secret"):
        config_for(fake, **{"client-secret": None})


async def test_no_credential_shows_in_a_log_line_or_an_error(
    fake: FakeSheets, config_for: Any, service_account_config: SheetsConfig, keys: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    for config in (config_for(fake), service_account_config):
        async with SheetsConnection(config, name="ward") as conn:
            fake.expire_tokens()
            try:
                await run(conn, "getValues", spreadsheetId=fake.admissions, range="Nowhere!A1")
            except ConnectorError as exc:
                shown += [str(exc), repr(exc)]
            shown += [repr(conn), repr(config), config.model_dump_json()]

    key_line = keys[0].splitlines()[1]
    assert len(shown) == 10
    assert not [text for text in shown if "s3cret" in text or "t0ken" in text or key_line in text]
    assert key_line not in caplog.text
