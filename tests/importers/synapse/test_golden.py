"""One Synapse fixture per artifact kind and per mediator (``cases/*.xml``, with the registry resources it
refers to in ``cases/NAME.registry/``), converted and compared with its golden output (``golden/*.yaml``: the documents written and the report). A case the importer converts
fully must also pass ``interlace check``, once the secrets it names are set.

After a deliberate change of the output, refresh the golden files with
``INTERLACE_UPDATE_GOLDEN=1 pytest tests/importers/synapse/test_golden.py`` and review their diff.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from interlace.compiler.compile import check_project
from interlace.importers.synapse import convert_synapse, write_project
from interlace.importers.synapse.writer import render_document
from interlace.model.load import load_project

HERE = Path(__file__).parent
CASES = sorted(path.stem for path in (HERE / "cases").glob("*.xml"))


def _render(source: Path) -> tuple[str, bool]:
    tree, report = convert_synapse(source)
    parts = [
        f"--- # {path}\n{render_document(document)}" for path, document in sorted(tree.documents.items())
    ]
    parts += [f"--- # {path} (copied)\n" for path in sorted(tree.files)]
    configs = f"configs: {yaml.safe_dump(tree.configs, sort_keys=True, default_flow_style=True)}"
    lines = yaml.safe_dump(
        [str(finding) for finding in report.in_source_order()], width=200, allow_unicode=True
    )
    parts.append(f"--- # interlace.toml and the report\n{configs}report:\n{lines}")
    return "".join(parts), not report.of("unsupported")


@pytest.mark.parametrize("case", CASES)
def test_case_converts_to_its_golden_output(case: str, tmp_path: Path) -> None:
    source = tmp_path / "synapse-config"
    source.mkdir()
    shutil.copy(HERE / "cases" / f"{case}.xml", source / f"{case}.xml")
    registry = HERE / "cases" / f"{case}.registry"
    if registry.is_dir():
        shutil.copytree(registry, source / "registry")
    rendered, complete = _render(source)
    golden = HERE / "golden" / f"{case}.yaml"
    if os.environ.get("INTERLACE_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")
    if complete:
        tree, _ = convert_synapse(source)
        write_project(tree, tmp_path / "project")
        # The operator sets the secrets the import names (passwords are never written into the YAML).
        secrets = {name: "set-by-the-operator" for name in re.findall(r"\$\{secret\.(\w+)\}", rendered)}
        project = load_project(tmp_path / "project", env={**os.environ, **secrets})
        assert [str(problem) for problem in check_project(project)] == []
