"""``throttle`` imported from Synapse: the policy's count per unit of time refuses the message after the
limit with the onReject flow, and a concurrency policy serves the flow after it."""

from __future__ import annotations

from pathlib import Path

from tests.importers.synapse.serving import serve_case


async def test_imported_throttle_accepts_up_to_its_count_then_rejects(tmp_path: Path) -> None:
    async with serve_case("throttle", tmp_path) as client:
        for _ in range(2):
            async with client.get("/quota/counted") as answer:
                assert answer.status == 200
                assert await answer.json() == {"accepted": True}
        async with client.get("/quota/counted") as answer:
            assert answer.status == 429
            assert (await answer.json())["error"]["message"] == "Quota exceeded"
        async with client.get("/quota/concurrent") as answer:
            assert answer.status == 200
            assert await answer.json() == {"served": True}
