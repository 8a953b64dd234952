"""A CApp (``.car``) built as MI's tooling builds it: a root ``artifacts.xml`` and one folder per
artifact holding an ``artifact.xml`` descriptor and the artifact's file."""

from __future__ import annotations

import zipfile
from pathlib import Path

from interlace.compiler.compile import check_project
from interlace.importers.synapse import convert_synapse, write_project
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
        car.writestr(f"PaymentSchema_{VERSION}/registry-info.xml", "<resources/>")
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
    [unsupported] = report.of("unsupported")
    assert str(unsupported) == (
        f"{car.name}!/PaymentSchema_{VERSION}/artifact.xml:2: unsupported CApp artifact PaymentSchema "
        "of type registry/resource: not converted yet"
    )
    write_project(from_car, tmp_path / "project")
    assert check_project(load_project(tmp_path / "project")) == []
