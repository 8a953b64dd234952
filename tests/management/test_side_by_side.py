"""Projects run side by side on one server, driven over real sockets (HTTP APIs, management API, CLI):
deploying, rolling back or undeploying one project never touches another, and a project that claims what
another holds (an API path, a port, an artifact name) is refused with a message naming both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from typer.testing import CliRunner

from interlace.cli import app
from interlace.http.listener import dispatch_routes
from interlace.http.server import HttpServer
from interlace.management import ManagementServer, TokenIssuer
from interlace.runtime import Runtime
from interlace.runtime.bundles import build_bundle
from tests.management.conftest import ADMIN_PASSWORD, REGISTRY, make_users
from tests.support import unused_port, write_project


def project(
    name: str, version: str, context: str, *, store: str | None = None, extra: str = ""
) -> dict[str, str]:
    """A project with one API answering its name and version, and a processor idling on its store."""
    store = store or f"{name}Payments"
    return {
        "interlace.toml": f'[project]\nname = "{name}"\nversion = "{version}"\n',
        f"apis/{name}.yaml": f"""\
api: {name}API
context: {context}
resources:
  - methods: [GET]
    flow:
      - respond: {{json: {{project: {name}, version: "{version}"}}}}
""",
        f"stores/{name}.yaml": f"store: {store}\nmemory: {{}}\n",
        f"endpoints/{name}.yaml": f"endpoint: {name}Backend\nhttp: {{url: 'http://127.0.0.1:9/{name}'}}\n",
        f"processors/{name}.yaml": f"processor: {name}Forwarder\nforwarding: {{store: {store}, endpoint: {name}Backend}}\n",
        **({f"inbound/{name}.yaml": extra} if extra else {}),
    }


@dataclass
class Server:
    runtime: Runtime
    api: str
    management: str
    token: str
    dist: Path

    def bundle(self, files: dict[str, str]) -> Path:
        name = files["interlace.toml"].split('name = "')[1].split('"')[0]
        version = files["interlace.toml"].split('version = "')[1].split('"')[0]
        root = write_project(self.dist.parent / f"{name}-{version}", files)
        return build_bundle(root, self.dist, connectors=REGISTRY)

    async def cli(self, *args: str) -> tuple[int, str]:
        server = ["--url", self.management, "--token", self.token]
        result = await asyncio.to_thread(CliRunner().invoke, app, [*args, *server])
        return result.exit_code, result.output

    async def get(self, path: str) -> tuple[int, object]:
        async with aiohttp.ClientSession() as session, session.get(self.api + path) as answer:
            return answer.status, await answer.json(content_type=None)

    async def manage(self, path: str) -> object:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with (
            aiohttp.ClientSession() as session,
            session.get(self.management + path, headers=headers) as r,
        ):
            assert r.status == 200, await r.text()
            return await r.json()

    async def names(self, kind: str) -> list[str]:
        answer = await self.manage(f"/management/{kind}")
        assert isinstance(answer, dict)
        return sorted(str(item["name"]) for item in answer["items"])


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    home = write_project(tmp_path / "healthcare", project("healthcare", "1.0.0", "/healthcare"))
    async with Runtime(home, env={}, connectors=REGISTRY, http_dispatch=dispatch_routes) as runtime:
        users = make_users()
        tokens = TokenIssuer(b"k" * 32, 3600.0)
        async with (
            HttpServer(runtime, "127.0.0.1", 0, 1024 * 1024) as http,
            ManagementServer(runtime, users, port=0, tokens=tokens, connectors=REGISTRY) as managed,
            aiohttp.ClientSession(managed.url) as session,
            session.post("/management/login", json={"user": "admin", "password": ADMIN_PASSWORD}) as login,
        ):
            token = (await login.json())["token"]
            yield Server(runtime, f"http://127.0.0.1:{http.port}", managed.url, token, tmp_path / "dist")


async def test_deploying_a_second_project_leaves_the_first_serving_with_its_processors(
    server: Server,
) -> None:
    code, output = await server.cli("deploy", str(server.bundle(project("myproj", "0.4.0", "/myproj"))))
    assert code == 0, output
    assert "deployed myproj 0.4.0" in output
    assert await server.get("/healthcare") == (200, {"project": "healthcare", "version": "1.0.0"})
    assert await server.get("/myproj") == (200, {"project": "myproj", "version": "0.4.0"})
    processors = await server.manage("/management/processors")
    assert isinstance(processors, dict)
    assert {(p["name"], p["status"]) for p in processors["items"]} == {
        ("healthcareForwarder", "active"),
        ("myprojForwarder", "active"),
    }
    listed = await server.manage("/management/deployments")
    assert isinstance(listed, dict)
    assert [(d["name"], d["version"], d["active"]) for d in listed["items"]] == [
        ("healthcare", "1.0.0", True),
        ("myproj", "0.4.0", True),
    ]
    apis = await server.manage("/management/apis")
    assert isinstance(apis, dict)
    assert {(a["name"], a["project"]) for a in apis["items"]} == {
        ("healthcareAPI", "healthcare"),
        ("myprojAPI", "myproj"),
    }


async def test_rolling_back_one_project_never_touches_another(server: Server) -> None:
    assert (await server.cli("deploy", str(server.bundle(project("myproj", "0.4.0", "/myproj")))))[0] == 0
    code, output = await server.cli(
        "deploy", str(server.bundle(project("healthcare", "1.1.0", "/healthcare")))
    )
    assert code == 0, output
    assert await server.get("/healthcare") == (200, {"project": "healthcare", "version": "1.1.0"})
    myproj = server.runtime.deployments.active("myproj")

    code, output = await server.cli("rollback", "healthcare")
    assert code == 0, output
    assert "rolled healthcare back to 1.0.0" in output
    assert await server.get("/healthcare") == (200, {"project": "healthcare", "version": "1.0.0"})
    assert await server.get("/myproj") == (200, {"project": "myproj", "version": "0.4.0"})
    assert server.runtime.deployments.active("myproj") is myproj


async def test_undeploy_removes_one_project_and_the_others_keep_running(server: Server) -> None:
    assert (await server.cli("deploy", str(server.bundle(project("myproj", "0.4.0", "/myproj")))))[0] == 0
    code, output = await server.cli("undeploy", "myproj")
    assert code == 0, output
    assert "undeployed myproj 0.4.0" in output
    assert (await server.get("/myproj"))[0] == 404
    assert await server.get("/healthcare") == (200, {"project": "healthcare", "version": "1.0.0"})
    assert await server.names("processors") == ["healthcareForwarder"]
    assert await server.names("stores") == ["healthcarePayments"]
    assert await server.names("deployments") == ["healthcare"]
    assert not (server.runtime.home / ".interlace" / "deployments" / "myproj").exists()
    code, output = await server.cli("undeploy", "myproj")
    assert code == 1
    assert "NOT_FOUND: no deployment named 'myproj' (deployments: healthcare)" in output


async def test_undeploy_is_an_admin_route_in_the_openapi_document(server: Server) -> None:
    document = await server.manage("/management/openapi.json")
    assert isinstance(document, dict)
    operation = document["paths"]["/management/deployments/{name}"]["delete"]
    assert (operation["operationId"], operation["x-required-role"]) == ("undeployDeployment", "admin")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            project("billing", "1.0.0", "/healthcare"),
            "API 'billingAPI' of billing and API 'healthcareAPI' of healthcare are both served at /healthcare",
        ),
        (
            project("billing", "1.0.0", "/billing", store="healthcarePayments"),
            "message store 'healthcarePayments' of billing (stores/billing.yaml:1) is already deployed by "
            "healthcare (stores/healthcare.yaml:1)",
        ),
    ],
)
async def test_a_project_claiming_what_another_holds_is_refused_naming_both(
    server: Server, files: dict[str, str], expected: str
) -> None:
    code, output = await server.cli("deploy", str(server.bundle(files)))
    assert code == 1
    assert "CONFLICT" in output
    assert expected in " ".join(output.split())
    assert await server.get("/healthcare") == (200, {"project": "healthcare", "version": "1.0.0"})
    assert await server.names("deployments") == ["healthcare"]
    assert not (server.runtime.home / ".interlace" / "deployments" / "billing").exists()


async def test_two_listeners_on_one_port_are_refused_naming_both_projects(server: Server) -> None:
    port = unused_port()

    def listener(name: str) -> str:
        return f"inbound: {name}Side\nhttp: {{port: {port}, apis: [{name}API]}}\n"

    first = project("billing", "1.0.0", "/billing", extra=listener("billing"))
    second = project("shipping", "1.0.0", "/shipping", extra=listener("shipping"))
    assert (await server.cli("deploy", str(server.bundle(first))))[0] == 0
    code, output = await server.cli("deploy", str(server.bundle(second)))
    assert code == 1
    assert (
        f"port {port} of inbound endpoint 'shippingSide' of shipping (inbound/shipping.yaml:2) is already "
        "taken by inbound endpoint 'billingSide' of billing (inbound/billing.yaml:2)"
    ) in " ".join(output.split())
