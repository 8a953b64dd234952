"""The quickstart as a user runs it: `interlace run examples/healthcare` in its own process, with no
profile named and none of production's settings: the example's default profile (dev) also starts the
sample hospital back-end (port 9090) and the development mailbox (9025). The example runs from a copy
whose dev profile names free ports instead, so that it never meets another run's back-end or mailbox."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import aiohttp

from interlace.samples.mailbox import fetch_messages
from tests.support import START, eventually, interlace_run, unused_port, within

PRODUCTION = ("HOSPITAL_BACKEND_URL", "GMAIL_CLIENT_ID", "GMAIL_CLIENT_SECRET", "GMAIL_REFRESH_TOKEN")
DEV_PORTS = {"hospital": 9090, "mailbox": 9025}


def on_free_ports(example: Path) -> dict[str, int]:
    """Give the dev profile's companions of the copy ``example`` free ports (each is named in its address
    and its companion table); the ports by companion."""
    toml = example / "interlace.toml"
    text = toml.read_text(encoding="utf-8")
    ports = {name: unused_port() for name in DEV_PORTS}
    for name, fixed in DEV_PORTS.items():
        assert f"\nport = {fixed}\n" in text and f"127.0.0.1:{fixed}" in text, f"{name} moved off {fixed}"
        text = text.replace(f"\nport = {fixed}\n", f"\nport = {ports[name]}\n")
        text = text.replace(f"127.0.0.1:{fixed}", f"127.0.0.1:{ports[name]}")
    toml.write_text(text, encoding="utf-8")
    return ports


async def test_the_example_serves_in_its_default_dev_profile_with_its_back_end_and_stops_cleanly(
    example: Path,
) -> None:
    port, companions = unused_port(), on_free_ports(example)
    fresh = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    fresh.pop("INTERLACE_PROFILE", None)
    process = await interlace_run(example, "--port", str(port), "--management-port", "0", env=fresh)
    assert process.stdout is not None
    try:
        lines: list[str] = []
        while not any("HealthcareAPI: http://127.0.0.1" in line for line in lines):
            line = (await within(process.stdout.readline(), START)).decode()
            assert line, "the server exited early:\n" + "".join(lines)
            lines.append(line)
        assert "healthcare 1.0.0 is running (profile dev)\n" in lines
        body = json.loads((example / "request.json").read_text())
        async with aiohttp.ClientSession() as client:
            url = f"http://127.0.0.1:{port}/healthcare/categories/surgery/reserve"
            async with client.post(url, json=body) as r:
                assert r.status == 200
                assert (await r.json())["message"].startswith("Payment request successfully submitted.")
            # The payment is settled in the background and the patient told through the mailbox.
            mails: list[dict[str, Any]] = []

            async def told() -> bool:
                mails[:] = await fetch_messages(f"http://127.0.0.1:{companions['mailbox']}", session=client)
                return any(mail["subject"] == "Payment Status" for mail in mails)

            await eventually(told, within=15, every=0.1, what="the Payment Status mail")
            mail = next(mail for mail in mails if mail["subject"] == "Payment Status")
            assert mail["to"] == ["john.doe@example.com"]
            assert json.loads(mail["text"])["status"] == "Settled"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        rest = (await within(process.stdout.read(), 30)).decode()
        code = await within(process.wait(), 30)
    assert code == 0, rest
    assert "stopping" in rest
