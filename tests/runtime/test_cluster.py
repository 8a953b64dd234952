"""Two servers sharing a coordination database with ``share-deployments``: a bundle deployed to one runs
on the other, so does its undeploy; a bundle the other cannot run makes it not ready, saying why; a
coordinated processor runs on one server, and moves to the other as soon as its server hands it over."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from interlace.runtime import Runtime
from interlace.runtime.bundles import build_bundle
from tests.addresses import POSTGRES
from tests.support import eventually, unique, write_project

pytestmark = pytest.mark.needs("postgres")

_COORDINATION = """
    [coordination]
    dsn = "{dsn}"
    lease = "{lease}"
    renew = "{renew}"
    share-deployments = true
    """

_API = """
    api: {name}
    context: /{path}
    resources:
      - methods: [GET]
        flow:
          - respond: {{json: {{}}}}
    """

_PROCESSOR = {
    "stores/jobs.yaml": "store: Jobs\nmemory: {}\n",
    "sequences/work.yaml": "sequence: Work\nflow:\n  - log: working\n",
    "processors/worker.yaml": """
        processor: Worker
        forwarding: {store: Jobs, sequence: Work, coordination: true}
        """,
}


@pytest.fixture
async def dsn() -> AsyncIterator[str]:
    """A schema of the test database of its own, named by the connection URL's ``search_path``."""
    schema = unique("cluster", "_")
    connection = await asyncpg.connect(POSTGRES.url)
    await connection.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{POSTGRES.url}?search_path={schema}"
    finally:
        await connection.execute(f"DROP SCHEMA {schema} CASCADE")
        await connection.close()


def _node(
    root: Path,
    dsn: str,
    api: str,
    files: dict[str, str] | None = None,
    *,
    name: str | None = None,
    renew: str = "200ms",
) -> Runtime:
    project = write_project(
        root,
        {"apis/home.yaml": _API.format(name=api, path=api.lower()), **(files or {})},
        _COORDINATION.format(dsn=dsn, lease="60s" if renew != "200ms" else "3s", renew=renew),
        name=name or unique("home"),
    )
    return Runtime(project, env={})


def _bundle(tmp_path: Path, api: str) -> bytes:
    name = unique("shared")
    source = write_project(tmp_path / name, {"apis/api.yaml": _API.format(name=api, path=name)}, name=name)
    return build_bundle(source, tmp_path / "bundles").read_bytes()


async def test_a_bundle_deployed_to_one_node_runs_on_the_other_and_so_does_its_undeploy(
    tmp_path: Path, dsn: str
) -> None:
    data = _bundle(tmp_path, "Shared")
    async with _node(tmp_path / "a", dsn, "Alpha") as a, _node(tmp_path / "b", dsn, "Beta") as b:
        info = await a.deployments.deploy(data)
        await eventually(lambda: info.name in b.deployments.running, what="the bundle running on b")
        assert b.deployments.running[info.name].version == info.version
        assert b.out_of_step() == []

        await a.deployments.undeploy(info.name)
        await eventually(lambda: info.name not in b.deployments.running, what="the bundle undeployed on b")

    # A server started later runs what the ledger names before it serves.
    later = _node(tmp_path / "c", dsn, "Gamma")
    async with _node(tmp_path / "a2", dsn, "Alpha") as a:
        info = await a.deployments.deploy(data)
        async with later as c:
            assert c.deployments.running[info.name].version == info.version


async def test_a_bundle_another_node_cannot_run_makes_it_not_ready_saying_why(
    tmp_path: Path, dsn: str
) -> None:
    data = _bundle(tmp_path, "Clash")  # b's home project has an API of that name already
    async with _node(tmp_path / "a", dsn, "Alpha") as a, _node(tmp_path / "b", dsn, "Clash") as b:
        info = await a.deployments.deploy(data)
        await eventually(lambda: b.out_of_step() != [], what="b reporting the bundle it cannot run")
        assert info.name not in b.deployments.running
        (reason,) = b.out_of_step()
        assert info.name in reason and "Clash" in reason
        assert a.out_of_step() == []


async def test_a_coordinated_processor_runs_once_and_moves_when_its_node_hands_it_over(
    tmp_path: Path, dsn: str
) -> None:
    # The standby tries the lease every 30 s: it takes it over sooner only because it learns of the release.
    project = unique("home")
    a = _node(tmp_path / "a", dsn, "Alpha", _PROCESSOR, name=project, renew="30s")
    b = _node(tmp_path / "b", dsn, "Alpha", _PROCESSOR, name=project, renew="30s")
    async with a, b:

        def statuses() -> list[str]:
            return sorted(node.services.state("processor", "Worker").status for node in (a, b))

        await eventually(lambda: statuses() == ["active", "standby"], what="one node running the processor")
        holder, other = (a, b) if a.services.state("processor", "Worker").status == "active" else (b, a)
        assert holder.services.state("processor", "Worker").coordinated

        await holder.deployments.hand_over()
        await eventually(
            lambda: other.services.state("processor", "Worker").status == "active",
            what="the processor moved to the other node",
        )
        assert holder.services.state("processor", "Worker").status == "inactive"
