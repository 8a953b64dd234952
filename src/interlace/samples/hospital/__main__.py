"""``python -m interlace.samples.hospital [--host H] [--port P]``: run the sample back-end until stopped."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from interlace.samples.hospital.server import start_hospital_backend


async def _serve(host: str, port: int) -> None:
    async with await start_hospital_backend(host, port) as backend:
        print(f"hospital back-end listening on {backend.url}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m interlace.samples.hospital", description="The sample hospital back-end."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9090, help="port to listen on (default 9090)")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.host, args.port))


if __name__ == "__main__":
    main()
