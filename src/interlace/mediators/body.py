"""Body templates shared by the payload and respond mediators: JSON, XML or text built per message."""

from __future__ import annotations

from typing import Protocol

import orjson

from interlace.expressions import Template, ValueTemplate
from interlace.message import MessageContext, Payload

__all__ = ["BodyTemplate", "JsonBody", "TextBody"]


class BodyTemplate(Protocol):
    """Builds a new payload for a message; called once per message, safe concurrently."""

    def render(self, ctx: MessageContext) -> Payload: ...


class JsonBody:
    """A JSON body: a nested value template with type-preserving substitution, sent as
    ``application/json`` unless another ``content_type`` (``application/vnd.api+json``) is given."""

    __slots__ = ("content_type", "template")

    def __init__(self, template: ValueTemplate, content_type: str | None = None) -> None:
        self.template = template
        self.content_type = content_type

    def render(self, ctx: MessageContext) -> Payload:
        value = self.template.render(ctx)
        if self.content_type is None:
            return Payload.of_json(value)
        return Payload(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS), self.content_type)


class TextBody:
    """An XML or text body from a string template, with its content type."""

    __slots__ = ("content_type", "template")

    def __init__(self, template: Template, content_type: str) -> None:
        self.template = template
        self.content_type = content_type

    def render(self, ctx: MessageContext) -> Payload:
        return Payload(self.template.render_str(ctx).encode(), self.content_type)
