"""Length-prefix framing of ISO 8583 messages on a TCP stream: each message is preceded by its length,
as a 2- or 4-byte binary number (big-endian) or as 4 ASCII digits."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

__all__ = ["FrameError", "FrameHeader", "Framing"]

FrameHeader = Literal["binary-2", "binary-4", "ascii-4"]


class FrameError(Exception):
    """The stream does not hold a well-formed frame: the header is not a length or the length is out of
    bounds (the settings do not match the peer's), or the stream ended inside a frame (``cut``). What
    follows cannot be read, so the stream is closed."""

    def __init__(self, message: str, *, cut: bool = False) -> None:
        super().__init__(message)
        self.cut = cut


@dataclass(frozen=True, slots=True)
class Framing:
    """How a message's length is written before it. ``inclusive``: the length counts the header too."""

    header: FrameHeader = "binary-2"
    inclusive: bool = False
    max_size: int = 65535

    @property
    def header_size(self) -> int:
        return int(self.header[-1])

    @property
    def largest(self) -> int:
        """The longest message the header can announce (and the settings allow)."""
        room = 9999 if self.header == "ascii-4" else 256**self.header_size - 1
        return min(self.max_size, room - (self.header_size if self.inclusive else 0))

    def frame(self, message: bytes) -> bytes:
        """``message`` with its header; ``ValueError`` if it is too long for the header."""
        if len(message) > self.largest:
            raise ValueError(
                f"the message is {len(message)} bytes, longer than a frame can hold ({self.largest})"
            )
        length = len(message) + (self.header_size if self.inclusive else 0)
        if self.header == "ascii-4":
            header = f"{length:04d}".encode("ascii")
        else:
            header = length.to_bytes(self.header_size, "big")
        return header + message

    async def read(self, reader: asyncio.StreamReader) -> bytes | None:
        """The next message, or None when the stream ended between messages. :class:`FrameError` for a
        header that is not a possible length, or a stream that ended inside a frame."""
        try:
            header = await reader.readexactly(self.header_size)
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                return None
            raise FrameError(
                f"the peer closed the connection inside a frame header ({len(exc.partial)} of"
                f" {self.header_size} bytes)",
                cut=True,
            ) from None
        if self.header == "ascii-4":
            if not header.isdigit():
                raise FrameError(f"the frame header {header!r} is not 4 ASCII digits")
            length = int(header)
        else:
            length = int.from_bytes(header, "big")
        if self.inclusive:
            length -= self.header_size
        if length < 0 or length > self.max_size:
            raise FrameError(f"the frame header announces {length} bytes (at most {self.max_size} are read)")
        try:
            return await reader.readexactly(length)
        except asyncio.IncompleteReadError as exc:
            raise FrameError(
                f"the peer closed the connection inside a frame ({len(exc.partial)} of {length} bytes)",
                cut=True,
            ) from None
