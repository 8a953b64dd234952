"""A follower of several workers that cannot run a version the deployment history names keeps what it
ran, and says why until it can."""

from __future__ import annotations

from pathlib import Path

from interlace.runtime import Runtime
from interlace.runtime.bundles import build_bundle
from tests.support import unique, write_project

API = """
    api: {name}
    context: /{name}
    resources:
      - methods: [GET]
        flow:
          - respond: {{json: {{}}}}
    """


async def test_a_version_a_follower_cannot_run_is_reported_until_it_can(tmp_path: Path) -> None:
    home = write_project(tmp_path / "home", {"apis/home.yaml": API.format(name="home")})
    name = unique("extra")
    extra = write_project(tmp_path / name, {"apis/extra.yaml": API.format(name="extra")}, name=name)
    bundle = build_bundle(extra, tmp_path / "dist").read_bytes()
    async with Runtime(home, env={}) as primary, Runtime(home, env={}, watch_deploy_dir=False) as follower:
        info = await primary.deployments.deploy(bundle)
        api_file = primary.deployments.folder / name / info.version / "apis" / "extra.yaml"
        written = api_file.read_text()
        api_file.write_text(written + "unknown-key: 1\n")

        assert await follower.deployments.follow() == []
        [problem] = follower.out_of_step()
        assert problem.startswith(f"{name} from ") and "unknown-key" in problem
        assert name not in follower.deployments.running

        api_file.write_text(written)
        assert await follower.deployments.follow() == [f"{name} {info.version} is active"]
        assert follower.out_of_step() == []
