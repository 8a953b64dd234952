"""The ``[tracing]`` table of interlace.toml: message traces and OpenTelemetry traces.

```toml
[tracing]
sensitive = ["ssn", "payload.patient.cardNumber", "headers.X-Card"]   # redacted in message traces
buffer-size = 200                 # message traces kept (the newest)
max-payload-size = "16KiB"        # each payload snapshot cut to this
max-steps = 500                   # mediators recorded per message trace
otlp-endpoint = "http://collector:4318/v1/traces"   # export OpenTelemetry traces (interlace[otel])
```
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from interlace.model.base import Definition
from interlace.observability.tracing import check_sensitive_entry

__all__ = ["TracingDefinition"]


class TracingDefinition(Definition):
    """The ``[tracing]`` table: what message traces redact and keep, and where OpenTelemetry traces go."""

    sensitive: list[str] = Field(default_factory=list)
    """Fields redacted in message traces, besides secrets: a name (`ssn`) wherever it is a key of a JSON
    payload or a variable, a header or an XML element; or a path (`payload.patient.ssn`,
    `vars.card.number`, `headers.X-Card`) at that place only."""
    buffer_size: Annotated[int, Field(ge=1, le=100_000)] = 200
    """How many message traces the server keeps, the newest; the oldest go first."""
    max_payload_size: int = 16 * 1024
    """Each payload snapshot of a message trace is cut to this size (`16KiB`; a number is bytes)."""
    max_steps: Annotated[int, Field(ge=1)] = 500
    """How many mediators one message trace records; the rest are counted, not recorded."""
    otlp_endpoint: str | None = None
    """Where OpenTelemetry traces are exported (OTLP over HTTP, `http://collector:4318/v1/traces`).
    Needs the `otel` extra (`pip install interlace[otel]`); without it no span is made."""
    service_name: str = "interlace"
    """The `service.name` of the exported spans."""

    @field_validator("sensitive")
    @classmethod
    def _sensitive(cls, value: list[str]) -> list[str]:
        return [check_sensitive_entry(entry) for entry in value]

    @field_validator("max_payload_size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> int:
        from interlace.model.project import parse_size  # the project module holds this table

        return parse_size(value)
