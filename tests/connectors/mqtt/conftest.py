"""An opened connection to this machine's Mosquitto."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from interlace.connectors.mqtt import MqttConnection

from .broker import mqtt_connection


@pytest.fixture
async def conn() -> AsyncIterator[MqttConnection]:
    async with mqtt_connection() as opened:
        yield opened
