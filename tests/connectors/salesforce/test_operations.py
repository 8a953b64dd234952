"""Salesforce operations against the fake org: SOQL with paging, sObject records, composite requests,
and failures sorted by what helps (InvalidInput with Salesforce's message for a wrong call, throttling
waited out, then RetryableError)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.connectors.salesforce.fakesalesforce import FakeSalesforce

from interlace.connectors.salesforce import SalesforceConnection, connector
from interlace.sdk import FatalError, InvalidInput, RetryableError


async def run(conn: SalesforceConnection, operation: str, **values: Any) -> Any:
    return await connector.get_operation(operation).invoke(conn, values)


async def test_a_query_answers_its_records_with_their_attributes(
    fake: FakeSalesforce, salesforce: SalesforceConnection
) -> None:
    fake.insert("Account", Name="Grand Oak", Industry="Healthcare")
    fake.insert("Account", Name="Pine Valley", Industry="Retail")

    page = await run(salesforce, "query", soql="SELECT Id, Name FROM Account WHERE Industry = 'Healthcare'")

    assert page["totalSize"] == 1 and page["done"] is True and page["nextRecordsUrl"] == ""
    (record,) = page["records"]
    assert record["Name"] == "Grand Oak"
    assert record["attributes"]["type"] == "Account"
    assert fake.calls[-1] == ("GET", "/v62.0/query")


async def test_a_large_result_is_paged_and_all_pages_can_be_read_at_once(
    fake: FakeSalesforce, salesforce: SalesforceConnection
) -> None:
    fake.page_size = 2
    for number in range(5):
        fake.insert("Account", Name=f"Clinic {number}")
    soql = "SELECT Name FROM Account ORDER BY Name"

    first = await run(salesforce, "query", soql=soql)
    second = await run(salesforce, "queryMore", nextRecordsUrl=first["nextRecordsUrl"])
    every = await run(salesforce, "query", soql=soql, allPages=True)

    assert [r["Name"] for r in first["records"]] == ["Clinic 0", "Clinic 1"]
    assert first["done"] is False and first["totalSize"] == 5
    assert [r["Name"] for r in second["records"]] == ["Clinic 2", "Clinic 3"]
    assert [r["Name"] for r in every["records"]] == [f"Clinic {n}" for n in range(5)]
    assert every["done"] is True and every["nextRecordsUrl"] == ""


async def test_query_more_takes_only_a_page_path_of_the_org(salesforce: SalesforceConnection) -> None:
    with pytest.raises(InvalidInput, match="nextRecordsUrl must be a page's"):
        await run(salesforce, "queryMore", nextRecordsUrl="https://elsewhere.example/steal")


async def test_records_are_created_read_updated_and_deleted(
    fake: FakeSalesforce, salesforce: SalesforceConnection
) -> None:
    created = await run(salesforce, "create", sObject="Account", record={"Name": "Grand Oak"})
    record_id = created["id"]
    await run(salesforce, "update", sObject="Account", id=record_id, record={"Industry": "Healthcare"})
    read = await run(salesforce, "retrieve", sObject="Account", id=record_id, fields=["Name", "Industry"])
    deleted = await run(salesforce, "delete", sObject="Account", id=record_id)

    assert created["success"] is True
    assert (read["Name"], read["Industry"]) == ("Grand Oak", "Healthcare")
    assert deleted == {"id": record_id, "success": True}
    assert fake.record("Account", record_id) is None


async def test_an_upsert_creates_then_updates_by_external_id(
    fake: FakeSalesforce, salesforce: SalesforceConnection
) -> None:
    values = {"sObject": "Account", "externalIdField": "Patient_Id__c", "externalId": "P-1042"}

    first = await run(salesforce, "upsert", **values, record={"Name": "Ann"})
    second = await run(salesforce, "upsert", **values, record={"Name": "Ann Smith"})

    assert first["created"] is True and second["created"] is False
    assert first["id"] == second["id"]
    assert fake.record("Account", first["id"])["Name"] == "Ann Smith"


async def test_an_external_id_that_matches_several_records_is_invalid_input(
    fake: FakeSalesforce, salesforce: SalesforceConnection
) -> None:
    fake.insert("Account", Name="A", Patient_Id__c="P-7")
    fake.insert("Account", Name="B", Patient_Id__c="P-7")

    with pytest.raises(InvalidInput, match="matches 2 records"):
        await run(
            salesforce, "upsert", sObject="Account", externalIdField="Patient_Id__c", externalId="P-7",
            record={"Name": "C"},
        )  # fmt: skip


async def test_a_composite_request_refers_to_an_earlier_result(
    fake: FakeSalesforce, salesforce: SalesforceConnection
) -> None:
    answer = await run(
        salesforce,
        "composite",
        requests=[
            {"method": "POST", "url": "sobjects/Account", "referenceId": "acct", "body": {"Name": "Oak"}},
            {
                "method": "POST",
                "url": "sobjects/Contact",
                "referenceId": "doc",
                "body": {"LastName": "Ann", "AccountId": "@{acct.id}"},
            },
        ],
    )

    account, contact = answer["compositeResponse"]
    assert (account["httpStatusCode"], contact["httpStatusCode"]) == (201, 201)
    assert fake.record("Contact", contact["body"]["id"])["AccountId"] == account["body"]["id"]


async def test_a_validation_error_is_invalid_input_with_salesforces_message(
    salesforce: SalesforceConnection,
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await run(salesforce, "create", sObject="Account", record={"Industry": "Retail"})

    assert str(raised.value) == (
        "salesforce.create on connection crm: Salesforce refused the request (400: REQUIRED_FIELD_MISSING:"
        " Required fields are missing: [Name] (fields: Name))"
    )


@pytest.mark.parametrize(
    ("operation", "values", "words"),
    [
        ("query", {"soql": "SELEKT Id FROM Account"}, "400: MALFORMED_QUERY"),
        ("query", {"soql": "SELECT Nmae FROM Account"}, "400: INVALID_FIELD: No such column 'Nmae'"),
        ("retrieve", {"sObject": "Account", "id": "001xx0000099999AAA"}, "404: NOT_FOUND"),
    ],
)
async def test_wrong_calls_are_invalid_input_naming_salesforces_error(
    salesforce: SalesforceConnection, operation: str, values: dict[str, Any], words: str
) -> None:
    with pytest.raises(InvalidInput, match=words):
        await run(salesforce, operation, **values)


async def test_names_that_would_change_the_request_path_are_refused_before_sending(
    fake: FakeSalesforce, salesforce: SalesforceConnection
) -> None:
    with pytest.raises(InvalidInput, match="sObject"):
        await run(salesforce, "retrieve", sObject="../limits", id="001xx0000099999AAA")
    with pytest.raises(InvalidInput, match="record id"):
        await run(salesforce, "delete", sObject="Account", id="x/../../limits")

    assert not [call for call in fake.calls if "limits" in call[1]]


@pytest.mark.parametrize("status", [503, 429])
async def test_a_throttled_call_is_waited_out_as_retry_after_asks_then_sent_again(
    fake: FakeSalesforce, salesforce: SalesforceConnection, waits: list[float], status: int
) -> None:
    fake.insert("Account", Name="Oak")
    fake.throttle(2, status=status, retry_after="3")

    page = await run(salesforce, "query", soql="SELECT Name FROM Account")

    assert page["totalSize"] == 1
    assert waits == [3.0, 3.0]


async def test_throttling_that_lasts_is_retryable_with_salesforces_retry_after(
    fake: FakeSalesforce, salesforce: SalesforceConnection, waits: list[float]
) -> None:
    fake.throttle(3, retry_after="4")

    with pytest.raises(RetryableError, match="503: SERVER_UNAVAILABLE") as raised:
        await run(salesforce, "query", soql="SELECT Name FROM Account")

    assert raised.value.retry_after == 4.0
    assert waits == [4.0, 4.0]


async def test_a_wait_longer_than_the_connection_would_hold_a_flow_is_left_to_the_caller(
    fake: FakeSalesforce, salesforce: SalesforceConnection, waits: list[float]
) -> None:
    fake.throttle(1, retry_after="120")

    with pytest.raises(RetryableError) as raised:
        await run(salesforce, "query", soql="SELECT Name FROM Account")

    assert raised.value.retry_after == 120.0 and waits == []


async def test_an_instance_that_does_not_answer_is_retryable(fake: FakeSalesforce, config_for: Any) -> None:
    config = config_for(fake, **{"instance-url": "http://127.0.0.1:9"})
    async with SalesforceConnection(config, name="crm") as conn:
        with pytest.raises(RetryableError, match="did not answer"):
            await run(conn, "query", soql="SELECT Id FROM Account")


async def test_an_api_version_the_org_does_not_have_is_refused_in_salesforces_words(
    fake: FakeSalesforce, config_for: Any
) -> None:
    async with SalesforceConnection(config_for(fake, **{"api-version": "99.0"}), name="crm") as conn:
        with pytest.raises(InvalidInput, match="404: NOT_FOUND"):
            await conn.ping()


async def test_an_instance_url_that_is_not_salesforce_is_fatal(fake: FakeSalesforce, config_for: Any) -> None:
    async with SalesforceConnection(
        config_for(fake, **{"instance-url": f"{fake.url}/elsewhere"}), name="crm"
    ) as conn:
        with pytest.raises(FatalError, match="not Salesforce's API"):
            await conn.ping()
