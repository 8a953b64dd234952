"""Generated reference pages stay in step with the code that describes itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from interlace.compiler.builders import MEDIATORS
from interlace.compiler.reference import DEFINITION_PAGES, REFERENCE_TOPICS, render_reference

DOCS = Path(__file__).resolve().parents[2] / "docs" / "reference"


@pytest.mark.parametrize("topic", sorted(REFERENCE_TOPICS))
def test_the_reference_page_is_what_the_definitions_generate(topic: str) -> None:
    page = (DOCS / f"{topic}.md").read_text(encoding="utf-8")
    assert page == render_reference(topic), (
        f"regenerate it: interlace reference {topic} > docs/reference/{topic}.md"
    )


def test_every_mediator_and_every_option_is_documented() -> None:
    for kind, spec in MEDIATORS.items():
        assert spec.definition.__doc__, kind
        for name, field in spec.definition.model_fields.items():
            assert field.description, f"{kind}.{name} has no description"


@pytest.mark.parametrize("page", DEFINITION_PAGES, ids=lambda page: page.topic)
def test_every_key_of_every_definition_page_is_documented(page: object) -> None:
    for section in page.sections:  # type: ignore[attr-defined]
        assert section.model.__doc__, section.heading
        for name, field in section.model.model_fields.items():
            if name not in section.exclude:
                assert field.description, f"{section.model.__name__}.{name} has no description"


def test_an_unknown_topic_is_refused() -> None:
    with pytest.raises(KeyError):
        render_reference("widgets")
