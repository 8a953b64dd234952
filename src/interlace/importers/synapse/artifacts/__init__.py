"""The converters of Synapse artifacts, one module per kind; importing this package registers them."""

from interlace.importers.synapse.artifacts import (
    api,
    capp,
    endpoint,
    inbound,
    inbound_broker,
    inbound_db,
    inbound_file,
    local_entry,
    processor,
    proxy,
    sequence,
    store,
    task,
    template,
)

__all__ = [
    "api",
    "capp",
    "endpoint",
    "inbound",
    "inbound_broker",
    "inbound_db",
    "inbound_file",
    "local_entry",
    "processor",
    "proxy",
    "sequence",
    "store",
    "task",
    "template",
]
