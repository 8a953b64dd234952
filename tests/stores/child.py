"""A store user in its own process, for tests that kill it: ``child.py DEFINITION_JSON ROOT MODE COUNT``.

``put``: puts COUNT messages from 8 concurrent producers and prints each id once its put returned.
``fetch``: claims COUNT messages and prints their ids. Either way it then waits to be killed.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from pathlib import Path

from interlace.model.store import StoreDefinition
from interlace.stores import StoredMessage, build_store


async def main(definition_json: str, root: str, mode: str, count: int) -> None:
    definition = StoreDefinition.model_validate_json(definition_json)
    store = build_store(definition, project_root=Path(root))
    await store.open()
    if mode == "put":
        numbers = itertools.count()

        async def produce() -> None:
            while (number := next(numbers)) < count:
                await store.put(StoredMessage(id=f"m{number}", payload=b"x" * 100, content_type="text/plain"))
                print(f"m{number}", flush=True)

        await asyncio.gather(*(produce() for _ in range(8)))
    else:
        claimed = 0
        while claimed < count:
            for stored in await store.fetch(count - claimed):
                print(stored.id, flush=True)
                claimed += 1
    print("done", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
