"""Body templates shared by the payload and respond mediators: JSON, XML or text built per message."""

from __future__ import annotations

from typing import Protocol

from interlace.expressions import Template, ValueTemplate
from interlace.message import MessageContext, Payload

__all__ = ["BodyTemplate", "JsonBody", "TextBody"]


class BodyTemplate(Protocol):
    """Builds a new payload for a message; called once per message, safe concurrently."""

    def render(self, ctx: MessageContext) -> Payload: ...


class JsonBody:
    """A JSON body: a nested value template with type-preserving substitution."""

    __slots__ = ("template",)

    def __init__(self, template: ValueTemplate) -> None:
        self.template = template

    def render(self, ctx: MessageContext) -> Payload:
        return Payload.of_json(self.template.render(ctx))


class TextBody:
    """An XML or text body from a string template, with its content type."""

    __slots__ = ("content_type", "template")

    def __init__(self, template: Template, content_type: str) -> None:
        self.template = template
        self.content_type = content_type

    def render(self, ctx: MessageContext) -> Payload:
        return Payload(self.template.render_str(ctx).encode(), self.content_type)
