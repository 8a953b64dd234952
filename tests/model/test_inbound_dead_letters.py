"""The dead-letter store an inbound endpoint falls back on: one per project (store names are server-wide,
so two projects side by side do not both claim it), made only when an endpoint relies on it."""

from __future__ import annotations

from interlace.model.inbound import InboundDefinition, default_dead_letter_store, implied_stores
from interlace.model.store import StoreDefinition


def endpoint(**options: object) -> InboundDefinition:
    return InboundDefinition.model_validate(
        {"inbound": "Orders", "file": {"folder": "in"}, "sequence": "S", **options}
    )


def test_each_project_gets_a_dead_letter_store_of_its_own() -> None:
    [clinic] = implied_stores("clinic", [endpoint()], [])
    [billing] = implied_stores("billing", [endpoint()], [])
    assert (clinic.name, billing.name) == ("clinic.dead-letters", "billing.dead-letters")
    assert clinic.kind == "sqlite"


def test_no_store_is_made_when_the_project_defines_it_or_every_endpoint_names_its_own() -> None:
    defined = StoreDefinition(store=default_dead_letter_store("clinic"), memory={})
    assert implied_stores("clinic", [endpoint()], [defined]) == []
    assert implied_stores("clinic", [endpoint(**{"dead-letter-store": "Parked"})], []) == []
    assert implied_stores("clinic", [], []) == []
