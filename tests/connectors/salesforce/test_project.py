"""Salesforce in a project, as users write it in YAML: a sequence upserts and queries on a connection
whose private key is a secret, an inbound endpoint on the poll trigger runs a flow per changed record,
and a mistyped parameter is found at load time at its file and line."""

from __future__ import annotations

from pathlib import Path

from tests.connectors.salesforce.conftest import CLIENT_ID, USERNAME
from tests.connectors.salesforce.fakesalesforce import FakeSalesforce
from tests.support import eventually, write_project

from interlace.compiler import check_project
from interlace.compiler.diagnostics import format_problem
from interlace.message import MessageContext, Payload
from interlace.model import load_project
from interlace.runtime import Runtime


def project(root: Path, fake: FakeSalesforce, sequence: str) -> Path:
    return write_project(
        root,
        {
            "connections/crm.yaml": f"""
                connection: crm
                connector: salesforce
                login-url: {fake.url}
                client-id: {CLIENT_ID}
                username: {USERNAME}
                private-key: ${{secret.SF_PRIVATE_KEY}}
                """,
            "sequences/sync.yaml": sequence,
        },
    )


async def test_a_sequence_upserts_a_patient_and_reads_it_back(
    tmp_path: Path, fake: FakeSalesforce, keys: tuple[str, str]
) -> None:
    root = project(
        tmp_path,
        fake,
        """
        sequence: Sync
        flow:
          - salesforce.upsert: {connection: crm, sObject: Account, externalIdField: Patient_Id__c,
                                externalId: "${payload.patient}", record: {Name: "${payload.name}"}}
          - salesforce.query:
              connection: crm
              soql: "SELECT Name, Patient_Id__c FROM Account"
              response-variable: found
        """,
    )
    async with Runtime(root, env={"SF_PRIVATE_KEY": keys[0]}) as runtime:
        ctx = MessageContext(Payload.of_json({"patient": "P-1042", "name": "Ann Smith"}))
        await runtime.artifacts.sequences["Sync"].mediate(ctx)

    assert ctx.payload.json()["created"] is True
    (record,) = ctx.variables["found"]["payload"]["records"]
    assert (record["Name"], record["Patient_Id__c"]) == ("Ann Smith", "P-1042")


async def test_changed_records_run_the_inbound_endpoints_flow(
    tmp_path: Path, fake: FakeSalesforce, keys: tuple[str, str]
) -> None:
    fake.insert("Account", Name="Grand Oak")
    root = project(
        tmp_path,
        fake,
        """
        sequence: Sync
        flow:
          - filter:
              condition: "${payload.Industry == null}"
              then:
                - salesforce.update: {connection: crm, sObject: Account, id: "${payload.Id}",
                                      record: {Industry: Healthcare}}
        """,
    )
    (root / "inbound").mkdir()
    (root / "inbound" / "accounts.yaml").write_text(
        "inbound: Accounts\n"
        "trigger:\n"
        "  salesforce.poll: {connection: crm, sObject: Account, fields: [Name, Industry], poll: 0.05,"
        " start: beginning}\n"
        "sequence: Sync\n",
        encoding="utf-8",
    )
    async with Runtime(root, env={"SF_PRIVATE_KEY": keys[0]}) as runtime:
        await eventually(lambda: runtime.services.state("inbound", "Accounts").processed >= 2)

    (account,) = fake._select("SELECT Name, Industry FROM Account")
    assert account == {"Name": "Grand Oak", "Industry": "Healthcare"}


def test_a_mistyped_parameter_is_reported_at_its_file_and_line(tmp_path: Path, fake: FakeSalesforce) -> None:
    root = project(
        tmp_path,
        fake,
        """
        sequence: Sync
        flow:
          - salesforce.query: {connection: crm, soql: "SELECT Id FROM Account"}
          - salesforce.create: {connection: crm, sObjct: Account, record: {Name: x}}
          - salesforce.retrieve: {connection: crm, sObject: "Account/../limits", id: "001xx0000000001AAA"}
        """,
    )

    problems = [format_problem(p) for p in check_project(load_project(root, env={"SF_PRIVATE_KEY": "k"}))]

    assert problems[0] == (
        "sequences/sync.yaml:4: unknown parameter 'sObjct' for salesforce.create\n    hint: did you mean 'sObject'?"
    )
    assert problems[1] == "sequences/sync.yaml:4: missing required parameter 'sObject' for salesforce.create"
    assert problems[2].startswith("sequences/sync.yaml:5: parameter 'sObject' of salesforce.retrieve")
    assert "must be an API name" in problems[2]
