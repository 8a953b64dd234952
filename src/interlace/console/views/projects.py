"""The projects: the overview of what is deployed, one project's page with its live state, one API's
page (its resources; its flow diagram is drawn there), and an admin's rollback and undeploy."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from interlace.console.context import Console, error_message
from interlace.console.pages import render
from interlace.errors import InterlaceError
from interlace.management.errors import NotFoundError

__all__ = ["api_page", "live_state", "overview", "project_page", "rollback", "undeploy", "undeploy_form"]

_LIVE = {
    "endpoints": "listEndpoints",
    "stores": "listStores",
    "processors": "listProcessors",
    "inbounds": "listInboundEndpoints",
    "tasks": "listTasks",
    "connections": "listConnections",
}


def _project(console: Console) -> str:
    return console.request.match_info["project"]


def _page_of(console: Console) -> str:
    return f"/console/projects/{_project(console)}"


async def overview(console: Console) -> web.StreamResponse:
    try:
        deployments = (await console.call("listDeployments"))["items"]
        unavailable = None
    except InterlaceError as exc:  # no deployment yet (starting): say so, keep the page
        deployments, unavailable = [], error_message(exc)
    return render(
        console.request, "overview.html", console=console, deployments=deployments, unavailable=unavailable
    )


async def _live_values(console: Console) -> dict[str, Any]:
    values: dict[str, Any] = {name: (await console.call(route))["items"] for name, route in _LIVE.items()}
    return values


async def project_page(console: Console) -> web.StreamResponse:
    project = _project(console)
    versions = await console.call("getDeployment", {"name": project})  # 404: no such project
    apis = [api for api in (await console.call("listApis"))["items"] if api["project"] == project]
    sequences = [seq for seq in (await console.call("listSequences"))["items"] if seq["project"] == project]
    return render(
        console.request,
        "project.html",
        console=console,
        project=project,
        versions=versions,
        apis=apis,
        sequences=sequences,
        back=_page_of(console),
        **await _live_values(console),
    )


async def live_state(console: Console) -> web.StreamResponse:
    """The live part of a project's page alone, for the page's script to swap in."""
    return render(
        console.request, "_live.html", console=console, back=_page_of(console), **await _live_values(console)
    )


async def api_page(console: Console) -> web.StreamResponse:
    project, name = _project(console), console.request.match_info["api"]
    api = await console.call("getApi", {"name": name})
    if api["project"] != project:
        raise NotFoundError(f"project {project} has no API named {name!r}")
    return render(console.request, "api.html", console=console, project=project, api=api)


async def rollback(console: Console) -> web.StreamResponse:
    project = _project(console)
    return await console.act(
        "rollbackDeployment", {"name": project}, f"{project} rolled back", back=_page_of(console)
    )


async def undeploy_form(console: Console) -> web.StreamResponse:
    project = _project(console)
    await console.call("getDeployment", {"name": project})  # 404: no such project
    return render(console.request, "undeploy.html", console=console, project=project)


async def undeploy(console: Console) -> web.StreamResponse:
    project = _project(console)
    return await console.act(
        "undeployDeployment", {"name": project}, f"{project} undeployed", back="/console/"
    )
