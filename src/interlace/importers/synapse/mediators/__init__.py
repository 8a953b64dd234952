"""The converters of Synapse mediators, one module per mediator; importing this package registers them."""

from interlace.importers.synapse.mediators import (
    call,
    control,
    enrich,
    fault,
    filter,
    header,
    log,
    payload,
    property,
    switch,
    template,
)

__all__ = [
    "call",
    "control",
    "enrich",
    "fault",
    "filter",
    "header",
    "log",
    "payload",
    "property",
    "switch",
    "template",
]
