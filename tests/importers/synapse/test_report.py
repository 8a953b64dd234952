"""The report names every construct the importer could not convert, at its file and line, and a project
folder of each layout MI's tools write is found."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from interlace.errors import ConfigError
from interlace.importers.synapse import convert_synapse

CASES = Path(__file__).parent / "cases"
HEALTHCARE = Path(__file__).parent / "fixtures" / "healthcare" / "synapse-config"


def test_every_unsupported_construct_is_reported_at_its_line(tmp_path: Path) -> None:
    shutil.copy(CASES / "unsupported.xml", tmp_path / "unsupported.xml")
    _, report = convert_synapse(tmp_path)
    assert [(f.origin.line, f.construct) for f in report.of("unsupported")] == [
        (6, "enrich source type envelope"),
        (7, "enrich target '//order'"),
        (7, "enrich action sibling"),
        (9, "datamapper gov:datamapper/map.dmc"),
        (10, "property os (default) expression \"get-property('system', 'os.name')\""),
        (11, "sequence {get-property('next')}"),
        (12, "call without an endpoint"),
        (23, "aggregate"),
        (24, "foreach over '//order/item'"),
        (25, "iterate without a target"),
    ]
    assert {f.origin.file for f in report.findings} == {"unsupported.xml"}
    assert not report.complete


@pytest.mark.parametrize(
    "layout", ["src/main/wso2mi/artifacts", "HealthcareConfigs/src/main/synapse-config", "synapse-config"]
)
def test_projects_of_mi_vscode_and_integration_studio_are_found(tmp_path: Path, layout: str) -> None:
    shutil.copytree(HEALTHCARE, tmp_path / "Healthcare" / layout)
    (tmp_path / "Healthcare" / "pom.xml").write_text("<project/>")
    tree, report = convert_synapse(tmp_path / "Healthcare")
    assert tree.name == "Healthcare"
    assert "apis/HealthcareAPI.yaml" in tree.documents
    assert report.complete
    assert all(f.origin.file.startswith(f"{layout}/") for f in report.findings)


def test_malformed_xml_is_a_config_error_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "broken.xml").write_text('<sequence name="x">\n  <log>\n</sequence>\n')
    with pytest.raises(ConfigError) as raised:
        convert_synapse(tmp_path)
    assert raised.value.location is not None
    assert (raised.value.location.file, raised.value.location.line) == ("broken.xml", 3)


@pytest.mark.parametrize(
    "use", ['<property name="p" value="&x;"/>', "<message>&x;</message>"], ids=["attribute", "text"]
)
def test_a_file_declaring_entities_is_refused_and_they_are_never_read(tmp_path: Path, use: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do-not-read")
    (tmp_path / "evil.xml").write_text(
        f'<!DOCTYPE s [<!ENTITY x SYSTEM "file://{secret}">]>\n<sequence name="evil"><log>{use}</log></sequence>\n'
    )
    with pytest.raises(ConfigError) as raised:
        convert_synapse(tmp_path)
    assert "do-not-read" not in str(raised.value)
    assert raised.value.location is not None
    assert raised.value.location.file == "evil.xml"


def test_findings_inside_an_endpoint_template_are_at_the_templates_lines(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "endpoints").mkdir()
    (tmp_path / "templates" / "HospitalTemplate.xml").write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<template name="HospitalTemplate" xmlns="http://ws.apache.org/ns/synapse">
    <parameter name="region"/>
    <endpoint name="$name">
        <http method="get" uri-template="$uri/$region">
            <markForSuspension>
                <errorCodes>101504</errorCodes>
                <retriesBeforeSuspension>2</retriesBeforeSuspension>
            </markForSuspension>
        </http>
    </endpoint>
</template>
"""
    )
    (tmp_path / "endpoints" / "GrandOakEP.xml").write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<endpoint xmlns="http://ws.apache.org/ns/synapse" name="GrandOakEP" template="HospitalTemplate" uri="http://h"/>
"""
    )
    tree, report = convert_synapse(tmp_path)
    template = "templates/HospitalTemplate.xml"
    assert [str(f) for f in report.in_source_order() if f.status != "converted"] == [
        f"{template}:5: unsupported endpoint template HospitalTemplate parameter $region:"
        " no value given by endpoints/GrandOakEP.xml:2",
        f"{template}:6: approximated endpoint errorCodes:"
        " connection failures, timeouts and 502/503/504 answers count as failures",
    ]
    # The endpoint's file lists what of its template was approximated or left out, where it was written.
    comments = tree.documents["endpoints/GrandOakEP.yaml"].comments
    assert comments[0] == "Imported from endpoints/GrandOakEP.xml:2"
    assert f"{template}:6: approximated endpoint errorCodes" in "\n".join(comments)
