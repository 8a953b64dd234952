"""The sheets connector as a whole: conformance, its reference page, a project that appends rows with a
service account, and a mistyped parameter found at load time at its file and line."""

from __future__ import annotations

from pathlib import Path

from tests.connectors.sheets.conftest import key_file
from tests.connectors.sheets.fakesheets import FakeSheets
from tests.support import write_project

from interlace.compiler import check_project
from interlace.compiler.diagnostics import format_problem
from interlace.connectors.sheets import connector
from interlace.message import MessageContext, Payload
from interlace.model import load_project
from interlace.runtime import Runtime
from interlace.sdk import render_connector_reference
from interlace.sdk.testing import assert_connector_conforms

REFERENCE = Path(__file__).parents[3] / "docs" / "connectors" / "sheets.md"


def test_the_connector_conforms() -> None:
    assert_connector_conforms(connector, sample_config={"client_id": "c", "client_secret": "client-s3cret"})


def test_the_reference_page_is_the_rendering_of_the_code() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render_connector_reference(connector), (
        "docs/connectors/sheets.md is stale: regenerate it with render_connector_reference(connector)"
    )


def project(root: Path, fake: FakeSheets, flow: str) -> Path:
    return write_project(
        root,
        {
            "connections/ward.yaml": f"""
                connection: ward
                connector: sheets
                auth: service_account
                service-account-key: ${{secret.SHEETS_KEY}}
                api-url: {fake.url}
                token-url: {fake.url}/token
                """,
            "sequences/admit.yaml": "sequence: Admit\nflow:\n" + flow,
        },
    )


async def test_a_sequence_appends_an_admission_as_a_service_account(
    tmp_path: Path, fake: FakeSheets, keys: tuple[str, str]
) -> None:
    root = project(
        tmp_path,
        fake,
        f"  - sheets.appendValues: {{connection: ward, spreadsheetId: {fake.admissions}, range: Patients!A1,"
        ' values: [["${payload.id}", "${payload.name}", "${payload.age}"]]}\n',
    )
    async with Runtime(root, env={"SHEETS_KEY": key_file(keys[0])}) as runtime:
        ctx = MessageContext(Payload.of_json({"id": "P-9", "name": "Dee", "age": 30}))
        await runtime.artifacts.sequences["Admit"].mediate(ctx)

    assert ctx.payload.json()["updates"]["updatedRange"] == "Patients!A4:C4"
    assert fake.spreadsheets[fake.admissions]["sheets"]["Patients"][3] == ["P-9", "Dee", 30]


def test_a_mistyped_parameter_is_reported_at_its_file_and_line(
    tmp_path: Path, fake: FakeSheets, keys: tuple[str, str]
) -> None:
    root = project(
        tmp_path,
        fake,
        "  - sheets.getValues: {connection: ward, spreadsheetId: 1BxiMVs0XRA5nFMdKvBdBZjg, range: A1}\n"
        "  - sheets.appendValues: {connection: ward, spreadsheetId: 1BxiMVs0XRA5nFMdKvBdBZjg, range: A1,"
        " values: [[1]], valueInputOptions: RAW}\n",
    )

    project_ = load_project(root, env={"SHEETS_KEY": key_file(keys[0])})
    problems = [format_problem(p) for p in check_project(project_)]

    assert problems == [
        "sequences/admit.yaml:4: unknown parameter 'valueInputOptions' for sheets.appendValues"
        "\n    hint: did you mean 'valueInputOption'?"
    ]
