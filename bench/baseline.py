"""The baseline: a bare aiohttp.web server that forwards with one pooled aiohttp client session.

``--workload passthrough``: read the body, POST it to the back-end, answer with the back-end's answer.
``--workload routing``: parse the JSON body (orjson, as Interlace does), switch on ``hospital``, build the
reservation document, POST it to ``<backend>/<hospital id>/reserve``, answer with the back-end's answer.

It runs on the standard asyncio loop (a bare aiohttp server: the reference the targets are stated
against) or, with ``--loop uvloop``, on uvloop as ``interlace run`` does; it pins itself to ``--core``.

Run: ``python bench/baseline.py --workload passthrough --port 8400 --backend http://127.0.0.1:9700``
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import orjson
from aiohttp import web
from workload import HOSPITALS, WORKLOADS, reservation

__all__ = ["make_app"]

_SESSION: web.AppKey[aiohttp.ClientSession] = web.AppKey("session", aiohttp.ClientSession)
_JSON = {"Content-Type": "application/json"}

Handler = Callable[[web.Request], Awaitable[web.Response]]


def _passthrough(backend: str) -> Handler:
    url = f"{backend}/echo"

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        session = request.app[_SESSION]
        async with session.post(url, data=body, headers=_JSON) as answer:
            return web.Response(status=answer.status, body=await answer.read(), headers=_JSON)

    return handle


def _routing(backend: str) -> Handler:
    urls = {name: f"{backend}/{hospital_id}/reserve" for name, hospital_id in HOSPITALS.items()}

    async def handle(request: web.Request) -> web.Response:
        document = orjson.loads(await request.read())
        url = urls.get(document.get("hospital"))
        if url is None:
            error = {"error": f"Invalid hospital - {document.get('hospital')}"}
            return web.Response(status=400, body=orjson.dumps(error), headers=_JSON)
        session = request.app[_SESSION]
        async with session.post(url, data=orjson.dumps(reservation(document)), headers=_JSON) as answer:
            return web.Response(status=answer.status, body=await answer.read(), headers=_JSON)

    return handle


def make_app(workload: str, backend: str) -> web.Application:
    """The baseline application for ``workload``, forwarding to ``backend`` (``http://host:port``)."""
    handler = _passthrough(backend) if workload == "passthrough" else _routing(backend)

    async def session(app: web.Application) -> AsyncIterator[None]:
        app[_SESSION] = aiohttp.ClientSession()
        yield
        await app[_SESSION].close()

    app = web.Application()
    app.cleanup_ctx.append(session)
    app.router.add_post(WORKLOADS[workload].path, handler)
    return app


async def _serve(app: web.Application, host: str, port: int) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port, backlog=1024).start()
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="passthrough")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8400)
    parser.add_argument("--backend", default="http://127.0.0.1:9700")
    parser.add_argument("--core", type=int, default=None, help="pin this process to one CPU core")
    parser.add_argument(
        "--loop",
        choices=("asyncio", "uvloop"),
        default="asyncio",
        help="event loop: asyncio (a bare aiohttp server, the reference) or uvloop",
    )
    args = parser.parse_args()
    if args.core is not None:
        os.sched_setaffinity(0, {args.core})
    app = make_app(args.workload, args.backend)
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(_serve(app, args.host, args.port))
    else:
        asyncio.run(_serve(app, args.host, args.port))


if __name__ == "__main__":
    _main()
