"""The example project of docs/payments-iso8583.md, as the page shows it, answers payments from a real
acquirer on loopback."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
from tests.support import write_project

from interlace.http.server import HttpServer
from interlace.runtime import Runtime

from .peer import serving_peer

PAGE = Path(__file__).parents[3] / "docs" / "payments-iso8583.md"


def example_files() -> dict[str, str]:
    """Each ```yaml block of the page that starts with `# PATH`, by path."""
    blocks = re.findall(r"```yaml\n# (\S+)\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.DOTALL)
    return {path: text for path, text in blocks}


async def test_the_example_authorizes_a_payment_through_the_acquirer(tmp_path: Path) -> None:
    files = example_files()
    assert set(files) == {"connections/acquirer.yaml", "acquirer.yaml", "apis/payments.yaml"}
    async with serving_peer() as acquirer:
        root = write_project(
            tmp_path / "payments",
            files,
            configs={"acquirerHost": acquirer.host, "acquirerPort": acquirer.port},
        )
        payment = {
            "pan": "4111111111111111",
            "amount": 1250,
            "stan": "000101",
            "terminal": "TERM0001",
            "order": "A-17",
        }
        async with (
            Runtime(root, env={}) as runtime,
            HttpServer(runtime, "127.0.0.1", 0, 65536) as http,
            aiohttp.ClientSession() as session,
            session.post(f"http://127.0.0.1:{http.port}/payments/authorize", json=payment) as answer,
        ):
            assert answer.status == 200, await answer.text()
            assert await answer.json() == {"approved": True, "responseCode": "00", "stan": "000101"}

    assert acquirer.requests[0]["4"] == "000000001250"
    assert acquirer.requests[0]["48"] == "A-17"
