"""Generated reference pages stay in step with the code that describes itself."""

from __future__ import annotations

from pathlib import Path

from interlace.compiler.builders import MEDIATORS
from interlace.compiler.reference import render_mediator_reference

DOCS = Path(__file__).resolve().parents[2] / "docs" / "reference"


def test_the_mediator_page_is_what_the_definitions_generate() -> None:
    page = (DOCS / "mediators.md").read_text(encoding="utf-8")
    assert page == render_mediator_reference(), (
        "regenerate it: interlace reference mediators > docs/reference/mediators.md"
    )


def test_every_mediator_and_every_option_is_documented() -> None:
    for kind, spec in MEDIATORS.items():
        assert spec.definition.__doc__, kind
        for name, field in spec.definition.model_fields.items():
            assert field.description, f"{kind}.{name} has no description"
