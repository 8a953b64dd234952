"""``datamapper`` imported from Synapse: a mapping of assignments runs as the payload template it became,
and a mapping that loops is reported at its own lines and left out."""

from __future__ import annotations

import shutil
from pathlib import Path

from interlace.importers.synapse import convert_synapse
from tests.importers.synapse.serving import CASES, serve_case


def _source(tmp_path: Path) -> Path:
    source = tmp_path / "synapse-config"
    shutil.copytree(CASES / "datamapper.registry", source / "registry")
    return source


async def test_an_imported_mapping_builds_the_output_from_the_request(tmp_path: Path) -> None:
    _source(tmp_path)
    request = {
        "id": 41,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "contact": {"email": "ada@example.com"},
        "social security": "756-1",
        "slots": ["09:00", "10:30"],
        "doctor": "thomas collins",
        "visits": 2,
        "extraVisits": 1,
    }
    async with (
        serve_case("datamapper", tmp_path) as client,
        client.post("/clinic/appointments", json=request) as answer,
    ):
        assert answer.status == 200
        assert await answer.json() == {
            "patient": {
                "name": "Ada Lovelace",
                "contact": {"email": "ada@example.com"},
                "ssn": "756-1",
            },
            "slot": "09:00",
            "doctor": "THOMAS COLLINS",
            "reference": "APT-41",
            "clinic": "North Wing",
            "channel": "web",
            "priority": 2,
            "confirmed": False,
            "visits": 3,
        }


async def test_an_imported_mapping_of_mi_vs_code_returns_its_object_literal(tmp_path: Path) -> None:
    _source(tmp_path)
    async with serve_case("datamapper", tmp_path) as client:
        request = {"patient": {"name": "Ada", "ward": "EAST-2"}}
        async with client.post("/clinic/discharges", json=request) as answer:
            assert answer.status == 200
            assert await answer.json() == {"summary": {"patient": "Ada", "ward": "east-2"}, "notes": "none"}
        async with client.post("/clinic/discharges", json={**request, "notes": "rest"}) as answer:
            assert (await answer.json())["notes"] == "rest"


def test_a_mapping_beyond_assignments_is_reported_at_its_lines(tmp_path: Path) -> None:
    source = _source(tmp_path)
    shutil.copy(CASES / "datamapper.xml", source / "datamapper.xml")
    _, report = convert_synapse(source)
    unsupported = [str(finding) for finding in report.of("unsupported")]
    invoice = "gov:datamapper/InvoiceMapping.dmc"
    assert [line for line in unsupported if line.startswith(invoice)] == [
        f"{invoice}:5: unsupported datamapper local variable count_i_lines: a value kept between"
        " statements; only assignments to the output convert",
        f"{invoice}:6: unsupported datamapper array: arrays are filled by loops",
        f"{invoice}:7: unsupported datamapper loop `for`: loops fill arrays; only assignments to the output"
        " convert",
        f"{invoice}:12: unsupported datamapper call of total(): the script's own functions do not convert",
    ]
    assert (
        f"datamapper.xml:21: unsupported datamapper {invoice}: more than assignments (its lines are reported):"
        " port it by hand"
    ) in unsupported
