"""Deployments by project name: one lock for every change (a reload waits for a deploy in progress),
projects restored after a restart, the hot deployment folder deploying each bundle as its own project,
and an operator's choices kept with their project."""

from __future__ import annotations

import asyncio
from pathlib import Path

from interlace.compiler.compile import Artifacts
from interlace.runtime import Runtime
from interlace.runtime.hotdeploy import HotDeployFolder
from interlace.runtime.services import SupervisedServices
from interlace.services import Coordinator, HeldServices
from tests.runtime.test_bundles import ENV, REGISTRY, bundle_of, project_files
from tests.support import deadline, eventually, write_project


def other_files(name: str, version: str) -> dict[str, str]:
    return {
        "interlace.toml": f'[project]\nname = "{name}"\nversion = "{version}"\n',
        f"apis/{name}.yaml": f"api: {name}API\ncontext: /{name}\nresources:\n"
        f"  - flow:\n      - respond: {{json: {{version: '{version}'}}}}\n",
        f"stores/{name}.yaml": f"store: {name}Store\nmemory: {{}}\n",
        f"endpoints/{name}.yaml": f"endpoint: {name}Backend\nhttp: {{url: 'http://127.0.0.1:9/'}}\n",
        f"processors/{name}.yaml": f"processor: {name}Forwarder\nforwarding: {{store: {name}Store, "
        f"endpoint: {name}Backend}}\n",
    }


class Gate:
    """Services that note when they start and stop, and whose stopping waits for ``opened``."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self.stopping = asyncio.Event()
        self.events: list[str] = []

    def __call__(
        self,
        project: str,
        artifacts: Artifacts,
        timeout: float,
        coordinator: Coordinator | None,
        held: HeldServices,
    ) -> SupervisedServices:
        gate = self

        class Noted(SupervisedServices):
            def start(self) -> None:
                gate.events.append(f"start {artifacts.version}")
                super().start()

            async def stop(self) -> None:
                gate.events.append(f"stop {artifacts.version}")
                gate.stopping.set()
                await gate.opened.wait()
                await super().stop()

        return Noted(project, artifacts, timeout, coordinator, held)


async def test_a_reload_waits_for_a_deploy_in_progress_and_then_reloads_what_it_deployed(
    tmp_path: Path,
) -> None:
    gate = Gate()
    home = write_project(tmp_path / "home", project_files("1.0.0"))
    async with Runtime(home, env=ENV, connectors=REGISTRY, services=gate) as runtime:
        deploying = asyncio.create_task(runtime.deployments.deploy(bundle_of(tmp_path, "2.0.0")))
        async with deadline():
            await gate.stopping.wait()  # the deploy holds the lock, stopping 1.0.0's services
        reloading = asyncio.create_task(runtime.reload())
        gate.opened.set()
        await deploying
        [(name, reloaded)] = await reloading
        gate.events.append("closing")
    assert not isinstance(reloaded, Exception)
    assert (name, reloaded.name, reloaded.version) == ("greeter", "greeter", "2.0.0")
    # One change at a time: each version's services stop before the next version's start.
    assert gate.events == [
        "start 1.0.0",
        "stop 1.0.0",
        "start 2.0.0",
        "stop 2.0.0",
        "start 2.0.0",
        "closing",
        "stop 2.0.0",
    ]


async def test_a_restarted_server_serves_every_project_it_ran_and_not_an_undeployed_one(
    tmp_path: Path,
) -> None:
    home = write_project(tmp_path / "home", project_files("1.0.0"))
    other = write_project(tmp_path / "src-billing", other_files("billing", "3.0.0"))
    from interlace.runtime.bundles import build_bundle

    billing = build_bundle(other, tmp_path / "dist", connectors=REGISTRY).read_bytes()
    async with Runtime(home, env=ENV, connectors=REGISTRY, hot_deploy=True) as first:
        await first.deployments.deploy(billing)
        await first.deployments.deploy(bundle_of(tmp_path, "2.0.0"))
    async with Runtime(home, env=ENV, connectors=REGISTRY, hot_deploy=True) as restarted:
        running = restarted.deployments.running
        assert {name: d.version for name, d in running.items()} == {"greeter": "2.0.0", "billing": "3.0.0"}
        await eventually(lambda: restarted.services.state("processor", "billingForwarder").status == "active")
        await restarted.deployments.undeploy("billing")
    async with Runtime(home, env=ENV, connectors=REGISTRY, hot_deploy=True) as again:
        assert list(again.deployments.running) == ["greeter"]
        assert again.artifacts.version == "2.0.0"


async def test_the_hot_deployment_folder_deploys_each_bundle_as_its_own_project(tmp_path: Path) -> None:
    home = write_project(tmp_path / "home", project_files("1.0.0"))
    folder = tmp_path / "hot"
    folder.mkdir()
    from interlace.runtime.bundles import build_bundle

    for name in ("billing", "shipping"):
        source = write_project(tmp_path / f"src-{name}", other_files(name, "1.0.0"))
        build_bundle(source, folder, connectors=REGISTRY)
    async with Runtime(home, env=ENV, connectors=REGISTRY) as runtime:
        moved = await HotDeployFolder(runtime.deployments, folder, settle=0.0).scan()
        assert [path.parent.name for path in moved] == ["deployed", "deployed"]
        assert sorted(runtime.deployments.running) == ["billing", "greeter", "shipping"]
        assert sorted(api.path for api in runtime.artifacts.apis) == ["/billing", "/hello", "/shipping"]


async def test_an_operator_s_deactivation_stays_with_its_project_across_its_versions(tmp_path: Path) -> None:
    home = write_project(tmp_path / "home", other_files("billing", "1.0.0"))
    from interlace.runtime.bundles import build_bundle

    shipping = build_bundle(
        write_project(tmp_path / "s", other_files("shipping", "1.0.0")), tmp_path / "d1", connectors=REGISTRY
    )
    billing = build_bundle(
        write_project(tmp_path / "b", other_files("billing", "1.1.0")), tmp_path / "d2", connectors=REGISTRY
    )
    async with Runtime(home, env=ENV, connectors=REGISTRY) as runtime:
        await runtime.deployments.deploy(shipping.read_bytes())
        await runtime.services.deactivate("processor", "billingForwarder")
        await runtime.deployments.deploy(billing.read_bytes())
        assert runtime.services.state("processor", "billingForwarder").status == "inactive"
        await eventually(lambda: runtime.services.state("processor", "shippingForwarder").status == "active")
