"""``interlace run`` on a Synapse source: the source is converted into a project folder of its own, which
keeps its state from one run to the next and never keeps artifacts the source no longer has."""

from __future__ import annotations

import shutil
from pathlib import Path

from interlace.cli.importers import runnable_project
from interlace.compiler.compile import check_project
from interlace.model.load import load_project
from tests.importers.synapse.test_capp import build_car

HEALTHCARE = Path(__file__).parent / "fixtures" / "healthcare"


def test_a_car_runs_as_the_project_it_converts_to(tmp_path: Path) -> None:
    project = runnable_project(build_car(tmp_path / "HealthCare_1.0.0.car"))
    assert project.name.startswith("HealthCare-")
    assert (project / "apis" / "HealthcareAPI.yaml").is_file()
    assert check_project(load_project(project)) == []


def test_a_second_run_keeps_the_state_and_drops_removed_artifacts(tmp_path: Path) -> None:
    source = Path(shutil.copytree(HEALTHCARE, tmp_path / "Healthcare"))
    first = runnable_project(source)
    (first / ".interlace").mkdir(exist_ok=True)
    (first / ".interlace" / "stores.sqlite").write_text("kept")
    (source / "synapse-config" / "sequences" / "HealthcareFault.xml").unlink()
    second = runnable_project(source)
    assert second == first
    assert (second / ".interlace" / "stores.sqlite").read_text() == "kept"
    assert not (second / "sequences").exists()


def test_an_interlace_project_runs_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "interlace.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "payload.xml").write_text("<a/>")
    assert runnable_project(tmp_path) == tmp_path
