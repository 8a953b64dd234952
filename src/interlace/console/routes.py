"""The console's routes: method, path (under ``/console``) and handler, in one table."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from interlace.console.auth import API_KEY, KEYS, Handler, logged_in
from interlace.console.views import build, login, logs, projects, services, stores, tracing, upload

__all__ = ["ROUTES"]


async def _login(request: web.Request) -> web.StreamResponse:
    return await login.login(request, request.app[API_KEY], request.app[KEYS])


_PROJECT: Final = "/projects/{project}"
_MESSAGE: Final = "/stores/{store}/messages/{id}"

ROUTES: Final[tuple[tuple[str, str, Handler], ...]] = (
    ("GET", "/login", login.login_form),
    ("POST", "/login", _login),
    ("POST", "/logout", logged_in(login.logout)),
    ("GET", "/", logged_in(projects.overview)),
    ("POST", "/deployments", logged_in(upload.upload_bundle, reads_body=True)),
    ("GET", "/catalog", logged_in(build.catalog)),
    ("GET", "/catalog/{kind}", logged_in(build.step_kind)),
    ("GET", _PROJECT + "/steps", logged_in(build.step_editor)),
    ("POST", _PROJECT + "/steps", logged_in(build.submit_step)),
    ("GET", _PROJECT, logged_in(projects.project_page)),
    ("GET", _PROJECT + "/live", logged_in(projects.live_state)),
    ("GET", _PROJECT + "/apis/{api}", logged_in(projects.api_page)),
    ("POST", _PROJECT + "/apis/{api}/tracing", logged_in(tracing.switch_api_tracing)),
    ("GET", _PROJECT + "/sequences/{sequence}", logged_in(projects.sequence_page)),
    ("POST", _PROJECT + "/rollback", logged_in(projects.rollback)),
    ("GET", _PROJECT + "/undeploy", logged_in(projects.undeploy_form)),
    ("POST", _PROJECT + "/undeploy", logged_in(projects.undeploy)),
    ("GET", "/stores/{store}", logged_in(stores.browse)),
    ("GET", "/stores/{store}/purge", logged_in(stores.purge_form)),
    ("POST", "/stores/{store}/purge", logged_in(stores.purge)),
    ("GET", _MESSAGE, logged_in(stores.message_page)),
    ("POST", _MESSAGE + "/replay", logged_in(stores.replay)),
    ("POST", _MESSAGE + "/delete", logged_in(stores.delete_message)),
    ("POST", "/tasks/{name}/trigger", logged_in(services.trigger_task)),
    ("GET", "/logs", logged_in(logs.logs_page)),
    ("GET", "/logs/lines", logged_in(logs.log_lines)),
    ("POST", "/logs/levels/{logger}", logged_in(logs.set_level)),
    ("POST", "/{kind}/{name}/{change}", logged_in(services.switch)),  # last: it matches any triple
)
