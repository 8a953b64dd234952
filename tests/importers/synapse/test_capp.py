"""A CApp (``.car``) built as MI's tooling builds it: a root ``artifacts.xml`` and one folder per
artifact holding an ``artifact.xml`` descriptor and the artifact's file."""

from __future__ import annotations

import zipfile
from pathlib import Path

from interlace.compiler.compile import check_project
from interlace.importers.synapse import convert_synapse, write_project
from interlace.importers.synapse.registry_resources import resource_finder
from interlace.model.load import load_project

FIXTURE = Path(__file__).parent / "fixtures" / "healthcare" / "synapse-config"
TYPES = {
    "api": "synapse/api",
    "endpoints": "synapse/endpoint",
    "sequences": "synapse/sequence",
    "message-stores": "synapse/message-store",
    "message-processors": "synapse/message-processors",
}
VERSION = "1.0.0"


def _descriptor(name: str, kind: str, file: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<artifact name="{name}" version="{VERSION}" type="{kind}" serverRole="EnterpriseIntegrator">\n'
        f"    <file>{file}</file>\n"
        "</artifact>\n"
    )


def build_car(target: Path) -> Path:
    """The healthcare fixture as a CApp, with a registry resource that is not Synapse configuration."""
    dependencies: list[str] = []
    with zipfile.ZipFile(target, "w") as car:
        for path in sorted(FIXTURE.rglob("*.xml")):
            name, folder = path.stem, f"{path.stem}_{VERSION}"
            file = f"{name}-{VERSION}.xml"
            car.writestr(f"{folder}/artifact.xml", _descriptor(name, TYPES[path.parent.name], file))
            car.writestr(f"{folder}/{file}", path.read_bytes())
            dependencies.append(name)
        car.writestr(
            f"PaymentSchema_{VERSION}/artifact.xml",
            _descriptor("PaymentSchema", "registry/resource", "registry-info.xml"),
        )
        car.writestr(
            f"PaymentSchema_{VERSION}/registry-info.xml",
            "<resources><item><file>payment.json</file><path>/_system/governance/schemas</path>"
            "<mediaType>application/json</mediaType></item></resources>",
        )
        car.writestr(f"PaymentSchema_{VERSION}/resources/payment.json", "{}")
        deps = "".join(
            f'    <dependency artifact="{name}" version="{VERSION}" include="true" serverRole="EnterpriseIntegrator"/>\n'
            for name in [*dependencies, "PaymentSchema"]
        )
        car.writestr(
            "artifacts.xml",
            '<?xml version="1.0" encoding="UTF-8"?>\n<artifacts>\n'
            f'<artifact name="HealthCareCompositeExporter" version="{VERSION}" type="carbon/application">\n'
            f"{deps}</artifact>\n</artifacts>\n",
        )
    return target


def test_a_car_imports_as_its_synapse_config_does(tmp_path: Path) -> None:
    car = build_car(tmp_path / f"HealthCareCompositeExporter_{VERSION}.car")
    from_car, report = convert_synapse(car)
    from_folder, _ = convert_synapse(FIXTURE.parent)
    assert from_car.name == "HealthCareCompositeExporter"
    assert {path: doc.data for path, doc in from_car.documents.items()} == {
        path: doc.data for path, doc in from_folder.documents.items()
    }
    assert from_car.documents["apis/HealthcareAPI.yaml"].comments == [
        f"Imported from {car.name}!/HealthcareAPI_{VERSION}/HealthcareAPI-{VERSION}.xml:2"
    ]
    assert report.of("unsupported") == []
    assert (
        f"{car.name}!/PaymentSchema_{VERSION}/artifact.xml:2: converted registry resource PaymentSchema: "
        "its files are copied into the project where a mediator refers to their gov:/conf: key"
    ) in [str(finding) for finding in report.findings]
    write_project(from_car, tmp_path / "project")
    assert check_project(load_project(tmp_path / "project")) == []


def test_registry_resources_are_found_by_key_in_a_car_and_a_registry_project(tmp_path: Path) -> None:
    car = build_car(tmp_path / f"HealthCare_{VERSION}.car")
    assert resource_finder(car)("gov:/schemas/payment.json") == b"{}"
    assert resource_finder(car)("conf:schemas/payment.json") is None
    registry = tmp_path / "Healthcare" / "HealthcareRegistryResources"
    registry.mkdir(parents=True)
    (registry / "invoice.xslt").write_text("<xsl:stylesheet/>")
    (registry / "artifact.xml").write_text(
        '<artifacts><artifact name="invoice" version="1.0.0" type="registry/resource">'
        "<item><file>invoice.xslt</file><path>/_system/config/transforms</path></item>"
        "</artifact></artifacts>"
    )
    assert resource_finder(tmp_path / "Healthcare")("conf:transforms/invoice.xslt") == b"<xsl:stylesheet/>"
