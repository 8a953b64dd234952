"""The projects: the overview of what is deployed, one project's page with its live state, one API's
page and one sequence's page (their flow diagrams, with a kept message trace laid over them on demand),
and an admin's rollback and undeploy."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from markupsafe import Markup

from interlace.console.context import Console, error_message
from interlace.console.pages import render
from interlace.console.views.tracing import traced_view
from interlace.errors import InterlaceError
from interlace.management.errors import NotFoundError

__all__ = [
    "api_page",
    "live_state",
    "overview",
    "project_page",
    "rollback",
    "sequence_page",
    "undeploy",
    "undeploy_form",
]

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
    """The project's own endpoints, stores, services and connections and their states."""
    mine = {"project": _project(console)}
    values: dict[str, Any] = {
        name: (await console.call(route, query=mine))["items"] for name, route in _LIVE.items()
    }
    return values


async def project_page(console: Console) -> web.StreamResponse:
    project = _project(console)
    versions = await console.call("getDeployment", {"name": project})  # 404: no such project
    apis = (await console.call("listApis", query={"project": project}))["items"]
    sequences = (await console.call("listSequences", query={"project": project}))["items"]
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
    flows = (await console.call("getFlowDiagram", query={"project": project}))["items"]
    references = [each["flow"] for each in flows if each["kind"] == "resource" and each["artifact"] == name]
    view = await traced_view(console, "api", name)
    diagrams = [await _diagram(console, reference, view["trace"]) for reference in references]
    return render(
        console.request, "api.html", console=console, project=project, api=api, diagrams=diagrams, **view
    )


async def sequence_page(console: Console) -> web.StreamResponse:
    project, name = _project(console), console.request.match_info["sequence"]
    view = await traced_view(console, "sequence", name)
    diagram = await _diagram(console, f"sequence:{name}", view["trace"])  # 404: no such sequence
    return render(
        console.request,
        "sequence.html",
        console=console,
        project=project,
        name=name,
        diagrams=[diagram],
        **view,
    )


async def _diagram(console: Console, reference: str, trace: str) -> dict[str, Any]:
    """A flow's diagram from the management API, its SVG ready to be placed in the page."""
    query = {"project": _project(console), "flow": reference, **({"trace": trace} if trace else {})}
    answer: dict[str, Any] = await console.call("getFlowDiagram", query=query)
    return {"flow": answer["flow"], "svg": Markup(answer["svg"])}  # escaped as it was drawn (lxml)


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
