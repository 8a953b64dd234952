"""Three Interlace nodes on loopback behind nginx, sharing one PostgreSQL database: the scenario that
``tests/cluster`` checks and ``bench/cluster.py`` measures.

Each node is ``interlace run PROJECT --workers 1`` in its own process, with its own copy of the project
(its own ``.interlace/``, as on its own machine). The project stores each reservation in a PostgreSQL
store and answers 200; a forwarding processor, coordinated (one node runs it, under a lease), settles
the stored reservations at a local back-end that counts settlements by reservation and by
``Idempotency-Key``. Everything the nodes share lives in a schema of its own (``search_path`` in the
connection URL), dropped at the end. nginx runs ``deploy/nginx.conf`` with the nodes as its upstreams.

:func:`run_scenario` sends reservations through nginx without pause, deploys a bundle to one node and
sees it served by every node and through nginx, kills the node holding the processor's lease with
SIGKILL and then the one that took it over with SIGTERM, and returns the :class:`Figures`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import shutil
import signal
import sys
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web

from interlace.runtime.bundles import build_bundle
from tests.server_process import ServerProcess
from tests.support import START, eventually, scaled, unique, unused_port, write_project

__all__ = ["Figures", "NginxMissingError", "find_nginx", "run_scenario"]

PASSWORD = "cluster-admin-password"
LEASE = 3.0  # seconds: the coordination lease of the processor (renewed every RENEW)
RENEW = 1.0
_NGINX_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


class NginxMissingError(RuntimeError):
    """nginx is not installed."""


def find_nginx() -> str:
    """The nginx binary; NginxMissingError naming the package when there is none."""
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(path, os.X_OK)), None
    )
    if found is None:
        raise NginxMissingError(
            "the cluster scenario needs the nginx binary, which is not installed: "
            "apt-get install -y nginx-light (.ci/run installs it)"
        )
    return found


@dataclass
class Figures:
    """What one run of the scenario measured."""

    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failed_connections: int = 0
    after_sigterm: Counter[int] = field(default_factory=Counter)
    """Answers after the SIGTERM (0: the connection failed): all 200 when the stop was graceful."""
    accepted: set[str] = field(default_factory=set)
    """Reservations answered 200."""
    settled: dict[str, set[str]] = field(default_factory=dict)
    """Idempotency keys each reservation was settled under (one key: settled once)."""
    deliveries: int = 0
    """Settlement requests the back-end received, repeated deliveries included."""
    failover: float | None = None
    """Seconds from the SIGKILL of the processor's node until another node held its lease."""
    handover: float | None = None
    """Seconds from the SIGTERM of the next holder until the last node held the lease."""
    deployed_everywhere: float | None = None
    """Seconds from a bundle's deployment to one node until every node and nginx served it."""
    settle_wait: float | None = None
    """Seconds after the load ended until every accepted reservation was settled."""
    duration: float = 0.0

    @property
    def settled_twice(self) -> list[str]:
        """Reservations settled under more than one idempotency key (a double settlement)."""
        return sorted(key for key, keys in self.settled.items() if len(keys) > 1)

    @property
    def unsettled(self) -> list[str]:
        return sorted(self.accepted - set(self.settled))

    def lines(self) -> list[str]:
        statuses = _statuses(self.statuses)
        extra = len(set(self.settled) - self.accepted)
        return [
            f"reservations sent through nginx: {self.sent} in {self.duration:.1f} s "
            f"({self.sent / self.duration if self.duration else 0:.0f}/s)",
            f"answers: {statuses}; connections failed: {self.failed_connections}; "
            f"after the SIGTERM: {_statuses(self.after_sigterm)}",
            f"answered 200: {len(self.accepted)}; settled: {len(self.settled)} "
            f"({extra} settled without a 200: the answer was lost with its node); "
            f"unsettled: {len(self.unsettled)}; settled twice: {len(self.settled_twice)}",
            f"settlement deliveries: {self.deliveries} "
            f"({self.deliveries - len(self.settled)} repeated, recognised by Idempotency-Key)",
            f"all settled {_seconds(self.settle_wait)} after the load ended",
            f"processor lease: on another node {_seconds(self.failover)} after SIGKILL "
            f"(lease {LEASE:g} s, renew {RENEW:g} s), {_seconds(self.handover)} after SIGTERM",
            f"bundle deployed to one node served by all three and nginx after {_seconds(self.deployed_everywhere)}",
        ]


def _statuses(counts: Counter[int]) -> str:
    return ", ".join(f"{status or 'failed'}: {count}" for status, count in sorted(counts.items())) or "none"


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


# the project --------------------------------------------------------------------------------------
_FILES = {
    "apis/reserve.yaml": """
        api: Reserve
        context: /reserve
        resources:
          - methods: [POST]
            flow:
              - store: Reservations
              - respond: {json: {reserved: "${payload.id}"}}
        """,
    "stores/reservations.yaml": """
        store: Reservations
        postgres: {dsn: "DSN", table: reservations, lease: 3s, timeout: 5s}
        when-full: wait
        """,
    "endpoints/settle.yaml": """
        endpoint: SettleEP
        http:
          method: POST
          url: "${configs.backend}/settle"
          timeout: 5s
        """,
    "processors/settle.yaml": """
        processor: Settle
        forwarding:
          store: Reservations
          endpoint: SettleEP
          interval: 200ms
          backoff: 100ms
          max-backoff: 1s
          max-attempts: 1000
          coordination: true
        """,
}

_EXTRA = """
    [coordination]
    dsn = "{dsn}"
    lease = "{lease}s"
    renew = "{renew}s"
    share-deployments = true
    """

_BUNDLED_API = """
    api: Hello
    context: /hello
    resources:
      - methods: [GET]
        flow:
          - respond: {json: {hello: "${configs.greeting}"}}
    """


def _project(root: Path, name: str, dsn: str, backend: str) -> Path:
    files = {path: text.replace('"DSN"', f'"{dsn}"') for path, text in _FILES.items()}
    return write_project(
        root,
        files,
        _EXTRA.format(dsn=dsn, lease=LEASE, renew=RENEW),
        name=name,
        configs={"backend": backend},
    )


# the back-end -------------------------------------------------------------------------------------
class Backend:
    """Settles reservations: remembers under which ``Idempotency-Key`` each was settled."""

    def __init__(self) -> None:
        self.settled: dict[str, set[str]] = defaultdict(set)
        self.deliveries = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/settle", self._settle)
        return app

    async def _settle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.deliveries += 1
        self.settled[str(body["id"])].add(request.headers.get("Idempotency-Key", ""))
        return web.json_response({"status": "Settled"})


# processes ----------------------------------------------------------------------------------------
class Node(ServerProcess):
    """One node of the three: a server process and its place among them."""

    def __init__(
        self, index: int, process: asyncio.subprocess.Process, port: int, management_port: int
    ) -> None:
        super().__init__(process, port, management_port)
        self.index = index

    def tail(self, lines: int = 30) -> str:
        return "".join(self.lines[-lines:])


async def _start_node(index: int, root: Path, env: dict[str, str]) -> Node:
    port, management_port = unused_port(), unused_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "interlace", "run", str(root), "--host", "127.0.0.1", "--port", str(port),
        "--management-port", str(management_port), "--workers", "1",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env,
    )  # fmt: skip
    node = Node(index, process, port, management_port)
    node.reader = asyncio.create_task(node.read())
    return node


def nginx_config(folder: Path, port: int, upstreams: list[int]) -> Path:
    """``deploy/nginx.conf`` with the nodes on ``upstreams`` and nginx on ``port``, its files in ``folder``."""
    text = _NGINX_CONF.read_text("utf-8")
    servers = "".join(
        f"        server 127.0.0.1:{upstream} max_fails=1 fail_timeout=5s;\n" for upstream in upstreams
    )
    text, replaced = re.subn(r"(?m)^ *server interlace-\d:8290[^\n]*\n", "", text)
    if replaced == 0:
        raise ValueError(f"{_NGINX_CONF} names no upstream server interlace-N:8290 any more")
    text = text.replace("upstream interlace {\n", "upstream interlace {\n" + servers)
    text = text.replace("listen 8290;", f"listen 127.0.0.1:{port};")
    paths = "".join(
        f"    {kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    text = text.replace("http {\n", "http {\n    access_log off;\n" + paths, 1)
    text = f"pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n" + text
    target = folder / "nginx.conf"
    target.write_text(text, "utf-8")
    return target


@contextlib.asynccontextmanager
async def _schema(postgres_url: str) -> AsyncIterator[str]:
    """A schema of its own; yields the connection URL whose ``search_path`` names it."""
    schema = unique("cluster", "_")
    connection = await asyncpg.connect(postgres_url)
    try:
        await connection.execute(f"CREATE SCHEMA {schema}")
        separator = "&" if "?" in postgres_url else "?"
        yield f"{postgres_url}{separator}search_path={schema}"
    finally:
        await connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await connection.close()


async def _holder(database: asyncpg.Connection, lease: str) -> str | None:
    value = await database.fetchval(
        "SELECT holder FROM interlace_leases WHERE name = $1 AND expires >= now()", lease
    )
    return None if value is None else str(value)


def _node_of(holder: str | None, nodes: list[Node]) -> Node | None:
    for node in nodes:
        if holder is not None and f"-{node.process.pid}-" in holder:
            return node
    return None


async def _load(
    client: aiohttp.ClientSession, url: str, figures: Figures, stop: asyncio.Event, clients: int
) -> None:
    ids = itertools.count()

    async def one_client(number: int) -> None:
        while not stop.is_set():
            reservation = f"{number}-{next(ids)}"
            figures.sent += 1
            try:
                async with client.post(url, json={"id": reservation}) as answer:
                    await answer.read()
                    figures.statuses[answer.status] += 1
                    if answer.status == 200:
                        figures.accepted.add(reservation)
            except (aiohttp.ClientError, TimeoutError):
                figures.failed_connections += 1

    await asyncio.gather(*(one_client(number) for number in range(clients)))


async def _ready(client: aiohttp.ClientSession, node: Node) -> bool:
    if not node.alive:
        raise AssertionError(f"node {node.index} exited ({node.process.returncode}):\n{node.tail()}")
    try:
        async with client.get(f"{node.management}/ready") as answer:
            return answer.status == 200
    except aiohttp.ClientError:
        return False


async def _answers(client: aiohttp.ClientSession, url: str, expected: dict[str, Any]) -> bool:
    try:
        async with client.get(url) as answer:
            return answer.status == 200 and await answer.json() == expected
    except aiohttp.ClientError:
        return False


async def _deploy_everywhere(
    client: aiohttp.ClientSession, work: Path, nodes: list[Node], nginx: str, dsn: str
) -> float:
    """Deploy a bundle to the first node; seconds until every node and nginx serve it."""
    name = unique("hello")
    greeting = unique("greeting")
    source = write_project(
        work / name, {"apis/hello.yaml": _BUNDLED_API}, name=name, configs={"greeting": greeting}
    )
    bundle = await asyncio.to_thread(build_bundle, source, work / "bundles")
    headers = await nodes[0].token(client, PASSWORD)
    form = aiohttp.FormData()
    form.add_field("bundle", bundle.read_bytes(), filename=bundle.name, content_type="application/zip")
    started = time.monotonic()
    async with client.post(f"{nodes[0].management}/deployments", data=form, headers=headers) as answer:
        assert answer.status in (200, 201), await answer.text()
    expected = {"hello": greeting}
    urls = [f"{node.url}/hello" for node in nodes] + [f"{nginx}/hello"] * len(nodes)

    async def everywhere() -> bool:
        return all([await _answers(client, url, expected) for url in urls])

    await eventually(everywhere, within=30.0, what="the bundle served by every node and through nginx")
    return time.monotonic() - started


async def run_scenario(
    work: Path, postgres_url: str, *, load_seconds: float = 6.0, clients: int = 8
) -> Figures:
    """Run the scenario in the folder ``work`` against the PostgreSQL database at ``postgres_url``;
    NginxMissingError when nginx is not installed. AssertionError when a node does not start."""
    nginx_binary = find_nginx()
    figures = Figures()
    backend = Backend()
    runner = web.AppRunner(backend.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    backend_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    nodes: list[Node] = []
    nginx: asyncio.subprocess.Process | None = None
    timeout = aiohttp.ClientTimeout(total=scaled(15.0))
    try:
        async with _schema(postgres_url) as dsn, aiohttp.ClientSession(timeout=timeout) as client:
            name = unique("cluster")
            env = {
                **os.environ,
                "INTERLACE_ADMIN_PASSWORD": PASSWORD,
                "INTERLACE_LOG_LEVEL": os.environ.get("CLUSTER_LOG", "WARNING"),
            }
            for index in range(3):
                root = _project(work / f"node-{index}", name, dsn, backend_url)
                nodes.append(await _start_node(index, root, env))
            for node in nodes:
                await eventually(
                    lambda node=node: _ready(client, node), within=START, what=f"node {node.index} ready"
                )
            nginx_port = unused_port()
            (work / "nginx").mkdir()
            config = nginx_config(work / "nginx", nginx_port, [node.port for node in nodes])
            nginx = await asyncio.create_subprocess_exec(
                nginx_binary, "-p", str(work / "nginx"), "-c", str(config), "-g", "daemon off;",
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            nginx_url = f"http://127.0.0.1:{nginx_port}"
            await _wait_for_nginx(client, nginx, nginx_url)
            figures.deployed_everywhere = await _deploy_everywhere(client, work, nodes, nginx_url, dsn)

            database = await asyncpg.connect(dsn)
            try:
                lease = f"{name}/processor/Settle"
                await eventually(
                    lambda: _holding(database, lease, nodes),
                    within=LEASE * 3,
                    every=0.05,
                    what="a node holding the processor's lease",
                )
                stop = asyncio.Event()
                started = time.monotonic()
                load = asyncio.create_task(_load(client, f"{nginx_url}/reserve", figures, stop, clients))
                try:
                    await _after_answers(figures, 200, lambda: load.done())
                    first = _node_of(await _holder(database, lease), nodes)
                    assert first is not None, "no node holds the processor's lease"
                    figures.failover = await _kill_holder(database, lease, nodes, first, signal.SIGKILL)
                    await _after_answers(figures, figures.statuses[200] + 200, lambda: load.done())
                    second = _node_of(await _holder(database, lease), nodes)
                    assert second is not None and second is not first
                    answered, failed = Counter(figures.statuses), figures.failed_connections
                    figures.handover = await _kill_holder(database, lease, nodes, second, signal.SIGTERM)
                    remaining = max(0.0, load_seconds - (time.monotonic() - started))
                    await _after_answers(figures, figures.statuses[200] + 200, lambda: load.done())
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(asyncio.shield(load), remaining)
                finally:
                    stop.set()
                    await load
                figures.duration = time.monotonic() - started
                figures.after_sigterm = figures.statuses - answered
                figures.after_sigterm[0] += figures.failed_connections - failed
                figures.after_sigterm += Counter()  # without zero counts
                ended = time.monotonic()

                def all_settled() -> bool:
                    return figures.accepted <= set(backend.settled)

                with contextlib.suppress(AssertionError):
                    await eventually(
                        all_settled, within=60.0, every=0.05, what="every accepted reservation settled"
                    )
                if all_settled():
                    figures.settle_wait = time.monotonic() - ended
            finally:
                await database.close()
            figures.settled = {key: set(keys) for key, keys in backend.settled.items()}
            figures.deliveries = backend.deliveries
            await _stop(nodes, nginx)
    finally:
        await _stop(nodes, nginx)
        await runner.cleanup()
    return figures


async def _holding(database: asyncpg.Connection, lease: str, nodes: list[Node]) -> bool:
    return _node_of(await _holder(database, lease), nodes) is not None


async def _after_answers(figures: Figures, count: int, done: Any) -> None:
    """Wait until the load got ``count`` answers 200 (or ended)."""
    await eventually(
        lambda: figures.statuses[200] >= count or done(), within=60.0, what=f"{count} answers 200"
    )


async def _kill_holder(
    database: asyncpg.Connection, lease: str, nodes: list[Node], holder: Node, how: signal.Signals
) -> float:
    """Send ``how`` to ``holder``; seconds until a live node holds ``lease``."""
    killed = time.monotonic()
    holder.process.send_signal(how)

    async def moved() -> bool:
        node = _node_of(await _holder(database, lease), nodes)
        return node is not None and node is not holder and node.alive

    await eventually(moved, within=LEASE + RENEW + 10.0, every=0.05, what=f"the lease moved after {how.name}")
    return time.monotonic() - killed


async def _wait_for_nginx(client: aiohttp.ClientSession, nginx: asyncio.subprocess.Process, url: str) -> None:
    async def answers() -> bool:
        if nginx.returncode is not None:
            assert nginx.stderr is not None
            raise AssertionError(f"nginx exited ({nginx.returncode}): {(await nginx.stderr.read()).decode()}")
        try:
            async with client.get(f"{url}/nothing-here"):
                return True
        except aiohttp.ClientError:
            return False

    await eventually(answers, within=30.0, what="nginx answering")


async def _stop(nodes: list[Node], nginx: asyncio.subprocess.Process | None) -> None:
    """Stop what still runs: SIGTERM, then SIGKILL after a while."""
    processes = [node.process for node in nodes] + ([nginx] if nginx is not None else [])
    for process in processes:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGQUIT if process is nginx else signal.SIGTERM)
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), scaled(20.0))
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    for node in nodes:
        if node.reader is not None:
            await node.reader
