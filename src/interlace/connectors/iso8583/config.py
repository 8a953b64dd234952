"""Settings of an ``iso8583`` connection: the specification messages are packed with, and the peer the
``send`` operation talks to (host, port, framing, timeouts)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from interlace.connectors.iso8583.framing import FrameHeader, Framing
from interlace.connectors.iso8583.spec import Spec, SpecFile, SpecVariant, build_spec, read_spec_file
from interlace.sdk import ConnectionConfig, project_path

__all__ = ["Iso8583Config"]


class Iso8583Config(ConnectionConfig):
    """How messages are packed and where they are sent.

    Messages follow the ISO 8583:1987 field definitions (`spec`), with the definitions of a custom
    `spec-file` laid over them: per field its encoding (`ascii`, `bcd`, `binary`), whether it is fixed
    or `llvar`/`lllvar` and its length. `pack` and `unpack` need nothing more; `send` also needs `host`
    and `port`. On the socket each message is preceded by its length (`frame-header`).
    """

    spec: SpecVariant = "iso1987-ascii"
    """The field definitions: `iso1987-ascii` (every field ASCII, the bitmaps as hexadecimal text) or
    `iso1987-binary` (binary bitmaps, PIN, MAC and ICC data)."""

    spec_file: Annotated[str | None, Field(examples=["iso8583/acquirer.yaml"])] = None
    """A JSON or YAML file (relative to the project's folder) of field definitions laid over `spec`:
    `fields: {NUMBER: {encoding, length, max, length-encoding, description}}`, and optionally how the
    `mti` (`ascii`, `bcd`) and the `bitmap` (`ascii`, `binary`) are written."""

    host: str | None = None
    """The peer `send` connects to."""

    port: Annotated[int | None, Field(gt=0, lt=65536)] = None
    """The peer's TCP port."""

    frame_header: FrameHeader = "binary-2"
    """The length before each message on the socket: `binary-2` or `binary-4` (a big-endian number of
    2 or 4 bytes) or `ascii-4` (4 ASCII digits)."""

    frame_header_counted: bool = False
    """Whether the length in the header counts the header's own bytes."""

    max_message_size: Annotated[int, Field(gt=0, le=16 * 1024 * 1024)] = 65535
    """The longest message read from the peer, in bytes; a longer one is a framing error."""

    timeout: Annotated[float, Field(gt=0)] = 30.0
    """Seconds `send` waits for a response, unless the operation gives its own `timeout`."""

    connect_timeout: Annotated[float, Field(gt=0)] = 10.0
    """Seconds to wait for the peer to accept the connection."""

    _custom: SpecFile | None = PrivateAttr(default=None)

    @field_validator("spec_file")
    @classmethod
    def _spec_file_is_valid(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Checked here too, so that a problem is reported at the `spec-file` line.
        if value is not None:
            read_spec_file(project_path(value, info.context))
        return value

    @model_validator(mode="after")
    def _spec_file_is_read(self, info: ValidationInfo) -> Iso8583Config:
        if self.spec_file is not None:
            self._custom = read_spec_file(project_path(self.spec_file, info.context))
        if (self.host is None) != (self.port is None):
            raise ValueError("host and port go together: give both for send, or neither")
        return self

    def message_spec(self, variant: str | None = None) -> Spec:
        """The specification of ``variant`` (the connection's `spec` if not given) with the spec file's
        definitions laid over it."""
        return build_spec(variant or self.spec, self._custom)

    @property
    def framing(self) -> Framing:
        """The framing of messages on the socket."""
        return Framing(self.frame_header, self.frame_header_counted, self.max_message_size)
