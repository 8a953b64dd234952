"""Fixtures: messages with JSON, XML and error content."""

from __future__ import annotations

import pytest

from interlace.message import ErrorInfo, MessageContext, Payload

from .messages import XML_ORDER, json_message


@pytest.fixture
def ctx() -> MessageContext:
    return json_message()


@pytest.fixture
def xml_ctx() -> MessageContext:
    return MessageContext(Payload(XML_ORDER, "application/xml"))


@pytest.fixture
def error_ctx() -> MessageContext:
    ctx = json_message()
    ctx.error = ErrorInfo("ENDPOINT_ERROR", "backend down", {"attempts": 3}, 502)
    return ctx
