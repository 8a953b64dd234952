"""The servicenow connector as a whole: conformance, its reference page, a project that calls it, and
a mistyped parameter found at load time at its file and line."""

from __future__ import annotations

from pathlib import Path

from tests.connectors.servicenow.conftest import PASSWORD, USERNAME
from tests.connectors.servicenow.fakeservicenow import FakeServiceNow
from tests.support import write_project

from interlace.compiler import check_project
from interlace.compiler.diagnostics import format_problem
from interlace.connectors.servicenow import connector
from interlace.message import MessageContext, Payload
from interlace.model import load_project
from interlace.runtime import Runtime
from interlace.sdk import render_connector_reference
from interlace.sdk.testing import assert_connector_conforms

REFERENCE = Path(__file__).parents[3] / "docs" / "connectors" / "servicenow.md"


def test_the_connector_conforms() -> None:
    assert_connector_conforms(
        connector, sample_config={"instance_url": "https://x", "username": "u", "password": "p-s3cret"}
    )


def test_the_reference_page_is_the_rendering_of_the_code() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render_connector_reference(connector), (
        "docs/connectors/servicenow.md is stale: regenerate it with render_connector_reference(connector)"
    )


def project(root: Path, fake: FakeServiceNow, flow: str) -> Path:
    return write_project(
        root,
        {
            "connections/itsm.yaml": f"""
                connection: itsm
                connector: servicenow
                instance-url: {fake.url}
                username: {USERNAME}
                password: ${{secret.SNOW_PASSWORD}}
                """,
            "sequences/open.yaml": "sequence: OpenIncident\nflow:\n" + flow,
        },
    )


async def test_a_sequence_opens_an_incident(tmp_path: Path, fake: FakeServiceNow) -> None:
    root = project(
        tmp_path,
        fake,
        "  - servicenow.createRecord: {connection: itsm, table: incident,"
        ' record: {short_description: "${payload.summary}", urgency: "1"}}\n',
    )
    async with Runtime(root, env={"SNOW_PASSWORD": PASSWORD}) as runtime:
        ctx = MessageContext(Payload.of_json({"summary": "Ward 3 printer down"}))
        await runtime.artifacts.sequences["OpenIncident"].mediate(ctx)

    (incident,) = fake.tables["incident"].values()
    assert ctx.payload.json()["sys_id"] == incident["sys_id"]
    assert (incident["short_description"], incident["urgency"]) == ("Ward 3 printer down", "1")


def test_a_mistyped_parameter_is_reported_at_its_file_and_line(tmp_path: Path, fake: FakeServiceNow) -> None:
    root = project(
        tmp_path,
        fake,
        "  - servicenow.listRecords: {connection: itsm, table: incident}\n"
        "  - servicenow.listRecords: {connection: itsm, table: incident, sysparm_query: active=true}\n",
    )

    problems = [format_problem(p) for p in check_project(load_project(root, env={"SNOW_PASSWORD": "x"}))]

    assert problems == [
        "sequences/open.yaml:4: unknown parameter 'sysparm_query' for servicenow.listRecords"
        "\n    hint: known parameters: table, query, fields, limit, offset, allPages, displayValue"
    ]
