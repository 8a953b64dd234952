"""Routes that need a deployment: the server checks for one in one place, so every such route answers
the same 503 while the runtime serves nothing (starting or stopping), and the others answer as usual."""

from __future__ import annotations

import re

from interlace.management.app import all_routes
from tests.management.conftest import Managed

_PATH_VALUE = re.compile(r"\{\w+\}")


async def test_every_route_that_needs_a_deployment_answers_the_same_503_while_none_is_served(
    managed: Managed, admin: str
) -> None:
    await managed.runtime.aclose()  # what a server stopping (or not yet started) serves: nothing
    answers = {}
    # those that need a deployment first: among the others is the one that logs the token out
    for route in sorted(all_routes(), key=lambda route: not route.needs_deployment):
        path = _PATH_VALUE.sub("x", route.path)
        answer = await managed.call(route.method, path, token=admin, json={})
        answers[route.name] = (route.needs_deployment, answer.status, answer.json)

    needing = {name: answer for name, answer in answers.items() if answer[0]}
    assert len(needing) > 20
    for name, (_, status, body) in needing.items():
        assert status == 503, name
        assert body["error"]["code"] == "NOT_READY", name
        assert body["error"]["message"] == (
            "the runtime has no active deployment (it is starting or stopping)"
        ), name
    others = {name: answer for name, answer in answers.items() if not answer[0]}
    assert others
    for name, (_, status, body) in others.items():
        assert status != 503 or body["error"]["code"] != "NOT_READY", name
