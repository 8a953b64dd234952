"""Logging in and out: the management API's own login (throttled as it is) gives the session's token."""

from __future__ import annotations

from aiohttp import web

from interlace.console.context import Console, error_message
from interlace.console.pages import redirect, render
from interlace.console.session import SessionKeys
from interlace.errors import InterlaceError
from interlace.management.app import ManagementApi

__all__ = ["login", "login_form", "logout"]


async def login_form(request: web.Request) -> web.StreamResponse:
    return render(request, "login.html", console=None, error=None, user=None)


async def login(request: web.Request, api: ManagementApi, keys: SessionKeys) -> web.StreamResponse:
    form = await request.post()
    user, password = str(form.get("user", "")), str(form.get("password", ""))
    if not user or not password:
        return render(
            request, "login.html", 400, console=None, error="give a user name and a password", user=user
        )
    try:
        answer = await api.call("login", request, None, body={"user": user, "password": password})
    except InterlaceError as exc:
        return render(request, "login.html", exc.status, console=None, error=error_message(exc), user=user)
    response = redirect("/console/")
    keys.keep(response, request, answer["token"], int(answer["expiresIn"]))
    return response


async def logout(console: Console) -> web.StreamResponse:
    response = redirect("/console/login")
    try:
        await console.call("logout")
    finally:
        SessionKeys.forget(response)
    return response
