"""A node of a coordination test: runs the project at argv[1] as node argv[2] until it is killed."""

from __future__ import annotations

import asyncio
import sys

from interlace.runtime import Runtime


async def main(root: str, node: str) -> None:
    async with Runtime(root, env={"NODE": node}):
        print("started", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
