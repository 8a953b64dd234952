"""The connector store: ``interlace connector search|add|upgrade|remove`` over a catalog index and a
local folder of package files, run as a user runs them, each test in a virtual environment of its own."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interlace.cli import app
from interlace.cli.catalog_index import CatalogError, index_location, interlace_version, read_index
from tests.support import environment_over_this_one

from .connector_store import NAME, PACKAGE, Store, make_store

SUPPORTS = {"1.0.0": ">=0.1", "1.1.0": ">=0.1", "2.0.0": ">=99"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return make_store(tmp_path_factory.mktemp("store"), SUPPORTS)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


class Environment:
    """A virtual environment of the test's own over the suite's: ``interlace`` runs there as a user runs
    it, and what it installs never reaches the environment other tests (and other workers) run in."""

    def __init__(self, folder: Path) -> None:
        self.python = environment_over_this_one(folder)

    def interlace(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.python), "-m", "interlace", *args]
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)

    def installed(self) -> str | None:
        """The version of the store's package installed in this environment, if any."""
        script = (
            "import importlib.metadata as m\n"
            "try:\n"
            f"    print(m.version({PACKAGE!r}))\n"
            "except m.PackageNotFoundError:\n"
            "    pass\n"
        )
        found = subprocess.run([str(self.python), "-c", script], capture_output=True, text=True, check=True)
        return found.stdout.strip() or None


@pytest.fixture
def own(tmp_path: Path) -> Environment:
    return Environment(tmp_path / "env")


def _from(store: Store) -> list[str]:
    return ["--index", str(store.index), "--find-links", str(store.files), "--no-index"]


def test_search_finds_the_index_s_connector_with_its_newest_supported_version(
    runner: CliRunner, store: Store
) -> None:
    result = runner.invoke(app, ["connector", "search", "echo", "--index", str(store.index), "-o", "json"])

    assert result.exit_code == 0, result.stderr
    (found,) = [item for item in json.loads(result.stdout) if item["name"] == NAME]
    assert found["package"] == PACKAGE
    assert found["latest"] == "1.1.0"  # 2.0.0 needs another Interlace
    assert found["installed"] is False
    assert found["operations"] == ["echo"]
    assert [item["version"] for item in found["versions"]] == ["1.0.0", "1.1.0", "2.0.0"]


def test_search_still_finds_the_built_in_connectors_beside_an_index(runner: CliRunner, store: Store) -> None:
    result = runner.invoke(
        app, ["connector", "search", "iso 8583", "--index", str(store.index), "-o", "json"]
    )

    assert result.exit_code == 0, result.stderr
    (found,) = json.loads(result.stdout)
    assert (found["name"], found["package"], found["installed"]) == ("iso8583", "interlace", True)


def test_add_upgrade_and_remove_resolve_through_the_index_and_pip(own: Environment, store: Store) -> None:
    added = own.interlace("connector", "add", f"{NAME}==1.0.0", *_from(store))
    assert added.returncode == 0, added.stderr
    assert f"checked interlace_{NAME}-1.0.0-py3-none-any.whl: sha256 matches the index" in added.stdout
    assert f"added connector: {NAME}" in added.stdout
    assert own.installed() == "1.0.0"

    searched = json.loads(
        own.interlace("connector", "search", NAME, "--index", str(store.index), "-o", "json").stdout
    )
    assert (searched[0]["installed"], searched[0]["installedVersion"]) == (True, "1.0.0")

    again = own.interlace("connector", "add", f"{NAME}==1.0.0", *_from(store))
    assert again.returncode == 0, again.stderr
    assert f"{NAME} 1.0.0 is installed already" in again.stdout

    upgraded = own.interlace("connector", "upgrade", NAME, *_from(store))
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"upgraded connector {NAME} ({PACKAGE}) from 1.0.0 to 1.1.0" in upgraded.stdout
    assert own.installed() == "1.1.0"

    current = own.interlace("connector", "upgrade", *_from(store))
    assert current.returncode == 0, current.stderr
    assert f"{NAME} 1.1.0 is up to date" in current.stdout

    removed = own.interlace("connector", "remove", NAME)
    assert removed.returncode == 0, removed.stderr
    assert own.installed() is None


def test_add_without_a_version_installs_the_newest_that_supports_this_interlace(
    own: Environment, store: Store
) -> None:
    added = own.interlace("connector", "add", NAME, *_from(store))

    assert added.returncode == 0, added.stderr
    assert own.installed() == "1.1.0"


def test_add_refuses_a_version_that_does_not_support_this_interlace_naming_the_versions(
    own: Environment, store: Store
) -> None:
    refused = own.interlace("connector", "add", f"{NAME}==2.0.0", *_from(store))

    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"{NAME} 2.0.0 needs Interlace >=99, and this is Interlace {interlace_version()}; the index has"
        " 1.0.0 (Interlace >=0.1), 1.1.0 (Interlace >=0.1), 2.0.0 (Interlace >=99)"
    )
    assert own.installed() is None


def test_add_refuses_a_package_file_whose_checksum_differs_from_the_index(
    own: Environment, store: Store, tmp_path: Path
) -> None:
    document = json.loads(store.index.read_text(encoding="utf-8"))
    document["connectors"][0]["versions"][1]["sha256"] = "0" * 64
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document), encoding="utf-8")

    refused = own.interlace(
        "connector", "add", NAME, "--index", str(forged), "--find-links", str(store.files), "--no-index"
    )

    assert refused.returncode == 1
    assert (
        f"the checksum of interlace_{NAME}-1.1.0-py3-none-any.whl is sha256:{store.checksums['1.1.0']}, but the"
        f" index says sha256:{'0' * 64}; it was not installed"
    ) in refused.stderr
    assert own.installed() is None


def test_add_refuses_a_name_the_index_does_not_have_with_a_suggestion(
    runner: CliRunner, store: Store
) -> None:
    refused = runner.invoke(app, ["connector", "add", "storechek", "--index", str(store.index)])

    assert refused.exit_code == 1
    assert "no connector 'storechek' in the catalog index (did you mean 'storecheck'?)" in refused.stderr


def test_add_of_a_built_in_connector_says_it_is_built_in(runner: CliRunner) -> None:
    result = runner.invoke(app, ["connector", "add", "iso8583"])

    assert result.exit_code == 0, result.stderr
    assert "iso8583 is built into Interlace" in result.stdout
    assert "pip install 'interlace[iso8583]'" in result.stdout
    http = runner.invoke(app, ["connector", "add", "http"])
    assert http.stdout.strip() == "http is built into Interlace"


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ('{"connectors": [\n  {"name": "x",}\n]}', "bad.json:2:16: not JSON (Expecting property name"),
        (
            json.dumps(
                {
                    "connectors": [
                        {"name": "acme", "package": "p", "versions": [{"version": "1.0", "sha256": "abc"}]}
                    ]
                }
            ),
            "connectors[0] (acme).versions[0].sha256: String should match pattern",
        ),
        (
            json.dumps({"connectors": [{"name": "acme", "package": "p", "versions": [{"version": "one"}]}]}),
            "connectors[0] (acme).versions[0].version: Value error, 'one' is not a version",
        ),
        (
            json.dumps(
                {
                    "connectors": [
                        {"name": "acme", "package": "p", "versions": [{"version": "1", "interlace": "=>1"}]}
                    ]
                }
            ),
            "'=>1' is not a version specifier",
        ),
        (
            json.dumps({"connectors": [{"name": "acme", "package": "p", "versions": [{"version": "1"}]}]}),
            "version 1 has no sha256",
        ),
        (json.dumps({"connectors": [], "extra": 1}), "extra: Extra inputs are not permitted"),
    ],
)
def test_a_bad_index_is_refused_saying_where(
    runner: CliRunner, tmp_path: Path, document: str, problem: str
) -> None:
    index = tmp_path / "bad.json"
    index.write_text(document, encoding="utf-8")

    result = runner.invoke(app, ["connector", "search", "x", "--index", str(index)])

    assert result.exit_code == 1
    assert problem in result.stderr
    with pytest.raises(CatalogError, match="catalog index"):
        read_index(str(index))


async def test_the_index_is_read_from_an_http_url(store: Store) -> None:
    import asyncio

    from aiohttp import web

    from tests.support import serving_app

    async def index(request: web.Request) -> web.FileResponse:
        return web.FileResponse(store.index)

    peer = web.Application()
    peer.router.add_get("/index.json", index)
    async with serving_app(peer) as url:
        result = await asyncio.to_thread(
            CliRunner().invoke,
            app,
            ["connector", "search", "echo", "--index", f"{url}/index.json", "-o", "json"],
        )
        missing = await asyncio.to_thread(read_index_error, f"{url}/missing.json")

    assert result.exit_code == 0, result.stderr
    assert NAME in [item["name"] for item in json.loads(result.stdout)]
    assert missing.startswith(f"cannot fetch the catalog index {url}/missing.json: HTTP Error 404")


def read_index_error(location: str) -> str:
    try:
        read_index(location)
    except CatalogError as exc:
        return str(exc)
    raise AssertionError(f"{location} was read")


def test_the_index_location_comes_from_the_option_the_environment_or_interlace_toml(tmp_path: Path) -> None:
    (tmp_path / "interlace.toml").write_text(
        '[project]\nname = "p"\n\n[connectors]\nindex = "store/index.json"\n'
    )
    env = {"INTERLACE_CONNECTOR_INDEX": "https://store.example/index.json"}

    assert index_location("given.json", env, tmp_path) == "given.json"
    assert index_location(None, env, tmp_path) == "https://store.example/index.json"
    assert index_location(None, {}, tmp_path) == str(tmp_path / "store" / "index.json")
    assert index_location(None, {}, tmp_path / "elsewhere") is None


def test_the_shipped_index_is_the_built_in_connectors(tmp_path: Path) -> None:
    from interlace.cli.catalog_build import build_index
    from interlace.cli.catalog_index import shipped_index
    from interlace.sdk import ConnectorRegistry

    shipped = shipped_index()
    built = build_index(ConnectorRegistry(), ["interlace"], shipped)
    assert built == shipped, (
        "src/interlace/cli/catalog.json is stale: regenerate it with"
        " interlace connector index build --package interlace -o src/interlace/cli/catalog.json"
    )


def test_index_build_writes_an_installed_package_with_its_checksum_and_keeps_other_versions(
    own: Environment, store: Store, tmp_path: Path
) -> None:
    assert own.interlace("connector", "add", f"{NAME}==1.1.0", *_from(store)).returncode == 0
    output = tmp_path / "index.json"
    output.write_text(store.index.read_text(encoding="utf-8"), encoding="utf-8")

    result = own.interlace(
        "connector", "index", "build", "-o", str(output), "--package", PACKAGE, "--files", str(store.files)
    )

    assert result.returncode == 0, result.stderr
    (entry,) = read_index(str(output)).connectors
    assert (entry.name, entry.package, entry.operations, entry.triggers) == (NAME, PACKAGE, ["echo"], [])
    assert entry.description == "Echoes text, version 1.1.0."
    assert entry.keywords == ["testing", "echo"]
    assert [(item.version, item.interlace, item.sha256) for item in entry.versions] == [
        ("1.0.0", ">=0.1", store.checksums["1.0.0"]),
        ("1.1.0", ">=0.1", store.checksums["1.1.0"]),
        ("2.0.0", ">=99", store.checksums["2.0.0"]),
    ]


def _speaker(version: str, flow: str) -> dict[str, str]:
    return {
        "interlace.toml": f'[project]\nname = "speaker"\nversion = "{version}"\n',
        "apis/say.yaml": f"""\
api: SayAPI
context: /say
resources:
  - methods: [GET]
    flow:
{flow}
""",
    }


async def test_a_running_server_uses_an_added_connector_from_the_next_deployment(
    own: Environment, store: Store, tmp_path: Path
) -> None:
    import asyncio
    import os

    import aiohttp

    from tests.support import START, eventually, unused_port, write_project

    before = _speaker("1.0.0", '      - respond: {json: {said: "nothing yet"}}')
    uses = (
        "      - storecheck.echo: {init: {}, text: Hello, response-variable: said}\n"
        '      - respond: {json: {said: "${vars.said.payload}"}}'
    )
    port, management = unused_port(), unused_port()
    api, url = f"http://127.0.0.1:{port}/say", f"http://127.0.0.1:{management}"
    password = "an admin password of this test"

    async def said() -> object:
        async with aiohttp.ClientSession() as session, session.get(api) as answer:
            assert answer.status == 200, await answer.text()
            return (await answer.json())["said"]

    async def interlace(*args: str) -> subprocess.CompletedProcess[str]:
        return await asyncio.to_thread(own.interlace, *args)

    async def deploy(version: str, token: str) -> str:
        project = write_project(tmp_path / version, _speaker(version, uses))
        built = await interlace("build", str(project), "-o", str(tmp_path / "dist"))
        assert built.returncode == 0, built.stderr
        bundle = tmp_path / "dist" / f"speaker-{version}.zip"
        deployed = await interlace("deploy", str(bundle), "--url", url, "--token", token)
        assert deployed.returncode == 0, deployed.stderr
        return deployed.stdout + deployed.stderr

    server = await asyncio.create_subprocess_exec(
        str(own.python), "-m", "interlace", "run", str(write_project(tmp_path / "speaker", before)),
        "--host", "127.0.0.1", "--port", str(port), "--management-port", str(management), "--workers", "1",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "INTERLACE_ADMIN_PASSWORD": password},
    )  # fmt: skip
    try:

        async def ready() -> bool:
            assert server.returncode is None, "the server stopped before it was ready"
            try:
                async with aiohttp.ClientSession() as session, session.get(f"{url}/management/ready") as r:
                    return r.status == 200
            except aiohttp.ClientError:
                return False

        await eventually(ready, START, what="the server serving")
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{url}/management/login", json={"user": "admin", "password": password}) as login,
        ):
            assert login.status == 200, await login.text()
            token = (await login.json())["token"]
        assert await said() == "nothing yet"

        added = await interlace("connector", "add", f"{NAME}==1.0.0", *_from(store))
        assert added.returncode == 0, added.stderr
        assert "deployed speaker 2.0.0" in await deploy("2.0.0", token)
        assert await said() == "Hello from 1.0.0"

        upgraded = await interlace("connector", "upgrade", NAME, *_from(store))
        assert upgraded.returncode == 0, upgraded.stderr
        output = await deploy("3.0.0", token)
        assert f"connector {NAME} 1.1.0 is used from now on (was 1.0.0)" in output
        assert await said() == "Hello from 1.1.0"
    finally:
        if server.returncode is None:
            server.terminate()
        await server.wait()


def test_a_bad_connectors_table_in_interlace_toml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "interlace.toml").write_text('[project]\nname = "p"\n\n[connectors]\nindx = "index.json"\n')

    with pytest.raises(
        CatalogError, match=r"interlace.toml: \[connectors\] indx: Extra inputs are not permitted"
    ):
        index_location(None, {}, tmp_path)
