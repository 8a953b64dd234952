"""The deployment files (deploy/) hold the server's real ports, routes and timeouts, read from the code: a
default that changes in the code fails here until the Dockerfile, compose file, nginx configuration, Helm
chart and systemd unit follow. No container runtime is needed: each file is parsed."""

from __future__ import annotations

import asyncio
import re
import shlex
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web

from interlace.management.resources.server import ROUTES
from interlace.model.project import ManagementDefinition, ServerDefinition
from tests.support import serving_app

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ROOT = DEPLOY.parent
HTTP_PORT = ServerDefinition().port
MANAGEMENT_PORT = ManagementDefinition().port
GRACEFUL = ServerDefinition().graceful_timeout
ROUTE = {route.name: route.path for route in ROUTES}
READY = f"http://127.0.0.1:{MANAGEMENT_PORT}{ROUTE['getReadiness']}"
HEALTH = f"http://127.0.0.1:{MANAGEMENT_PORT}{ROUTE['getHealth']}"
PROBE = ["python", "/opt/interlace/probe.py"]


def _dockerfile() -> dict[str, list[str]]:
    """Each instruction's arguments (continuation lines joined), by instruction."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    instructions: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            instructions.setdefault(word.upper(), []).append(rest.strip())
    return instructions


def _exec_form(argument: str) -> list[str]:
    command = argument[argument.index("[") :]
    parsed = yaml.safe_load(command)
    assert isinstance(parsed, list)
    return [str(part) for part in parsed]


def test_the_image_is_slim_runs_as_a_user_and_checks_readiness_on_the_management_port() -> None:
    docker = _dockerfile()
    assert re.fullmatch(r"python:3\.\d+-slim", docker["FROM"][0])
    [user] = docker["USER"]
    assert user not in ("root", "0")
    assert "--uid 10001" in docker["RUN"][0] and user in docker["RUN"][0]
    assert sorted(int(port) for port in docker["EXPOSE"][0].split()) == [HTTP_PORT, MANAGEMENT_PORT]
    [healthcheck] = docker["HEALTHCHECK"]
    assert _exec_form(healthcheck) == [*PROBE, READY]
    assert docker["COPY"].count("deploy/probe.py ./probe.py") == 1
    assert docker["WORKDIR"][0] == "/opt/interlace"
    assert _exec_form(docker["CMD"][0]) == ["interlace", "run", "/srv/interlace/project"]
    assert docker["STOPSIGNAL"] == ["SIGTERM"]


@pytest.fixture
async def management() -> AsyncIterator[str]:
    async def ready(request: web.Request) -> web.Response:
        return web.json_response({"status": "ready"})

    async def starting(request: web.Request) -> web.Response:
        return web.json_response({"error": {"code": "NOT_READY"}}, status=503)

    app = web.Application()
    app.router.add_get("/ready", ready)
    app.router.add_get("/starting", starting)
    async with serving_app(app) as url:
        yield url


async def test_the_probe_passes_on_200_only(management: str) -> None:
    async def probe(url: str) -> int:
        command = [sys.executable, str(DEPLOY / "probe.py"), url]
        return (await asyncio.to_thread(subprocess.run, command, timeout=30)).returncode

    assert await probe(f"{management}/ready") == 0
    assert await probe(f"{management}/starting") == 1
    assert await probe("http://127.0.0.1:1/management/ready") == 1


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_three_nodes_on_postgresql_and_rabbitmq_behind_nginx() -> None:
    services = _compose()["services"]
    nodes = sorted(name for name in services if name.startswith("interlace-"))
    assert nodes == ["interlace-1", "interlace-2", "interlace-3"]
    assert {"postgres", "rabbitmq", "nginx"} <= set(services)
    for name in nodes:
        node = services[name]
        assert node["hostname"] == name
        assert (ROOT / node["build"]["context"].replace("..", ".") / node["build"]["dockerfile"]).is_file()
        environment = node["environment"]
        assert environment["INTERLACE_HTTP_PORT"] == str(HTTP_PORT)
        assert environment["INTERLACE_MANAGEMENT_PORT"] == str(MANAGEMENT_PORT)
        assert int(node["stop_grace_period"].rstrip("s")) > GRACEFUL
        assert set(node["depends_on"]) == {"postgres", "rabbitmq"}
        assert {"postgres", "rabbitmq"} <= set(node["build"]["args"]["EXTRAS"].split(","))
    nginx = services["nginx"]
    [config] = nginx["volumes"]
    assert config == "./nginx.conf:/etc/nginx/nginx.conf:ro"
    assert nginx["ports"] == [f"{HTTP_PORT}:{HTTP_PORT}"]


def test_nginx_balances_the_three_nodes_api_ports() -> None:
    text = (DEPLOY / "nginx.conf").read_text()
    upstream = re.findall(r"^\s*server\s+([\w-]+):(\d+)", text, re.MULTILINE)
    nodes = sorted(name for name in _compose()["services"] if name.startswith("interlace-"))
    assert [name for name, _ in upstream] == nodes
    assert {int(port) for _, port in upstream} == {HTTP_PORT}
    assert re.findall(r"^\s*listen\s+(\d+);", text, re.MULTILINE) == [str(HTTP_PORT)]
    [body] = re.findall(r"client_max_body_size\s+(\d+)m;", text)
    assert int(body) * 1024 * 1024 == ServerDefinition().max_body_size


def _helm() -> dict[str, Any]:
    """The chart's templates rendered with its values: the subset of Helm's template language the chart
    uses (``{{ .Values.a.b }}``, ``| quote``, ``.Release.Name``), each parsed as YAML by kind."""
    chart = DEPLOY / "helm" / "interlace"
    values = yaml.safe_load((chart / "values.yaml").read_text())

    def value(match: re.Match[str]) -> str:
        path, quoted = match.group(1), match.group(2) is not None
        if path == ".Release.Name":
            found: Any = "test"
        else:
            assert path.startswith(".Values."), f"the chart uses {path}, which this test does not render"
            found = values
            for key in path.removeprefix(".Values.").split("."):
                found = found[key]
        return f'"{found}"' if quoted else str(found)

    rendered: dict[str, Any] = {}
    for template in sorted((chart / "templates").glob("*.yaml")):
        text = re.sub(r"\{\{\s*([\w.]+)\s*(\|\s*quote\s*)?\}\}", value, template.read_text())
        assert "{{" not in text, f"{template.name} uses template syntax this test does not render"
        document = yaml.safe_load(text)
        rendered[document["kind"]] = document
    assert yaml.safe_load((chart / "Chart.yaml").read_text())["name"] == "interlace"
    return rendered


def test_the_helm_chart_probes_the_real_routes_and_serves_the_api_port() -> None:
    rendered = _helm()
    pod = rendered["Deployment"]["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > GRACEFUL
    assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": 10001}
    [container] = pod["containers"]
    assert container["ports"] == [{"name": "http", "containerPort": HTTP_PORT}]
    assert container["readinessProbe"]["exec"]["command"] == [*PROBE, READY]
    assert container["startupProbe"]["exec"]["command"] == [*PROBE, READY]
    assert container["livenessProbe"]["exec"]["command"] == [*PROBE, HEALTH]
    assert container["envFrom"] == [{"configMapRef": {"name": rendered["ConfigMap"]["metadata"]["name"]}}]
    settings = rendered["ConfigMap"]["data"]
    assert settings["INTERLACE_HTTP_PORT"] == str(HTTP_PORT)
    assert settings["INTERLACE_MANAGEMENT_PORT"] == str(MANAGEMENT_PORT)
    assert set(settings) <= _environment_variables_read()
    [port] = rendered["Service"]["spec"]["ports"]
    assert (port["port"], port["targetPort"]) == (HTTP_PORT, "http")


def _environment_variables_read() -> set[str]:
    """The INTERLACE_* variables the code reads."""
    source = ROOT / "src" / "interlace"
    return {
        name
        for path in source.rglob("*.py")
        for name in re.findall(r"[\"'](INTERLACE_[A-Z_]+)[\"']", path.read_text(encoding="utf-8"))
    }


def _unit() -> dict[str, list[tuple[str, str]]]:
    """The unit's sections, each a list of (key, value): systemd repeats keys such as Environment."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for line in (DEPLOY / "interlace.service").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        else:
            key, _, value = line.partition("=")
            current.append((key, value))
    return sections


def test_the_systemd_unit_runs_the_server_reloads_on_sighup_and_outlasts_its_graceful_stop() -> None:
    service = _unit()["Service"]
    settings = dict(service)
    assert settings["User"] != "root"
    assert shlex.split(settings["ExecStart"])[1:] == ["run", settings["WorkingDirectory"]]
    assert settings["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert settings["KillSignal"] == "SIGTERM"
    assert int(settings["TimeoutStopSec"]) > GRACEFUL
    environment = dict(value.split("=", 1) for key, value in service if key == "Environment")
    assert environment["INTERLACE_HTTP_PORT"] == str(HTTP_PORT)
    assert environment["INTERLACE_MANAGEMENT_PORT"] == str(MANAGEMENT_PORT)
    assert set(environment) <= _environment_variables_read()
    assert settings["ReadWritePaths"] == settings["WorkingDirectory"]  # the users file and the stores
