"""The quickstart as a user runs it: `interlace run examples/healthcare` in its own process, with no
profile named and none of production's settings: the example's default profile (dev) also starts the
sample hospital back-end on port 9090 and the development mailbox on 9025."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from typing import Any

import aiohttp

from interlace.samples.mailbox import fetch_messages
from tests.examples.conftest import EXAMPLE
from tests.support import START, eventually, unused_port, within

PRODUCTION = ("HOSPITAL_BACKEND_URL", "GMAIL_CLIENT_ID", "GMAIL_CLIENT_SECRET", "GMAIL_REFRESH_TOKEN")


async def test_the_example_serves_in_its_default_dev_profile_with_its_back_end_and_stops_cleanly() -> None:
    port = unused_port()
    fresh = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    fresh.pop("INTERLACE_PROFILE", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "interlace",
        "run",
        str(EXAMPLE),
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        "--management-port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=fresh,
    )
    assert process.stdout is not None
    try:
        lines: list[str] = []
        while not any("HealthcareAPI: http://127.0.0.1" in line for line in lines):
            line = (await within(process.stdout.readline(), START)).decode()
            assert line, "the server exited early:\n" + "".join(lines)
            lines.append(line)
        assert "healthcare 1.0.0 is running (profile dev)\n" in lines
        body = json.loads((EXAMPLE / "request.json").read_text())
        async with aiohttp.ClientSession() as client:
            url = f"http://127.0.0.1:{port}/healthcare/categories/surgery/reserve"
            async with client.post(url, json=body) as r:
                assert r.status == 200
                assert (await r.json())["message"].startswith("Payment request successfully submitted.")
            # The payment is settled in the background and the patient told through the mailbox.
            mails: list[dict[str, Any]] = []

            async def told() -> bool:
                mails[:] = await fetch_messages("http://127.0.0.1:9025", session=client)
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
