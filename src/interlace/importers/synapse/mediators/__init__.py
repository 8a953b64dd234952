"""The converters of Synapse mediators, one module per mediator; importing this package registers them."""

from interlace.importers.synapse.mediators import (
    aggregate,
    call,
    clone,
    control,
    enrich,
    fault,
    filter,
    foreach,
    header,
    iterate,
    log,
    payload,
    property,
    switch,
    template,
    validate,
)

__all__ = [
    "aggregate",
    "call",
    "clone",
    "control",
    "enrich",
    "fault",
    "filter",
    "foreach",
    "header",
    "iterate",
    "log",
    "payload",
    "property",
    "switch",
    "template",
    "validate",
]
