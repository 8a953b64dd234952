"""Logging in to the console, its session cookie, CSRF protection and what each role may do: driven over
HTTP without a browser (the browser journeys are in test_journeys.py)."""

from __future__ import annotations

from tests.console.conftest import Browserless
from tests.management.conftest import Managed

PROJECT_PAGE = "/console/projects/shop"
ACTIVATE = "/console/processors/ForwardOrders/activate"


def _processor_status(shop: Managed) -> str:
    return shop.runtime.services.state("processor", "ForwardOrders").status


async def test_a_page_without_a_session_leads_to_the_login_form(client: Browserless) -> None:
    page = await client.get("/console/")
    assert page.url.endswith("/console/login")
    assert 'name="password"' in page.text


async def test_a_live_fragment_without_a_session_answers_401(client: Browserless) -> None:
    page = await client.get(PROJECT_PAGE + "/live", headers={"X-Console-Fragment": "1"})
    assert page.status == 401


async def test_a_wrong_password_shows_the_management_apis_error(client: Browserless) -> None:
    page = await client.post("/console/login", {"user": "admin", "password": "not-the-password"})
    assert page.status == 401
    assert "wrong user name or password" in page.text
    assert client.cookie("interlace_console") is None


async def test_logging_in_sets_an_http_only_strict_cookie_and_shows_the_projects(shop: Managed) -> None:
    async with shop.session.post(
        "/console/login", data={"user": "admin", "password": "hunter2-secret"}, allow_redirects=False
    ) as answer:
        assert answer.status == 303
        cookie = answer.cookies["interlace_console"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/console"
    assert not cookie["secure"]  # plain HTTP here; Secure when served over TLS


async def test_pages_may_not_be_framed_and_run_only_the_consoles_own_script(shop: Managed) -> None:
    async with shop.session.get("/console/login") as answer:
        policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


async def test_the_overview_lists_the_deployed_project(client: Browserless) -> None:
    page = await client.login("admin")
    assert 'href="/console/projects/shop"' in page.text
    assert "2.0.0" in page.text


async def test_logging_out_revokes_the_session(client: Browserless) -> None:
    page = await client.login("admin")
    token = client.cookie("interlace_console")
    await client.post("/console/logout", {"csrf": page.csrf})
    client.session.cookie_jar.update_cookies({"interlace_console": token or ""})
    assert (await client.get("/console/")).url.endswith("/console/login")


async def test_a_post_without_the_sessions_csrf_token_is_refused(shop: Managed, client: Browserless) -> None:
    await client.login("admin")
    page = await client.post(ACTIVATE, {"csrf": "0" * 64, "back": PROJECT_PAGE})
    assert page.status == 403
    assert "reload the page" in page.text
    assert _processor_status(shop) == "inactive"


async def test_a_post_from_another_origin_is_refused(shop: Managed, client: Browserless) -> None:
    page = await client.login("admin")
    answer = await client.post(
        ACTIVATE, {"csrf": page.csrf, "back": PROJECT_PAGE}, headers={"Origin": "http://evil.example"}
    )
    assert answer.status == 403
    assert _processor_status(shop) == "inactive"


async def test_a_monitor_sees_no_buttons_and_is_refused_by_the_management_api(
    shop: Managed, client: Browserless
) -> None:
    await client.login("watcher")
    page = await client.get(PROJECT_PAGE)
    assert "ForwardOrders" in page.text
    assert 'id="activate-processors-ForwardOrders"' not in page.text
    assert "Roll back" not in page.text
    answer = await client.post(ACTIVATE, {"csrf": page.csrf, "back": PROJECT_PAGE})
    assert answer.url.endswith(PROJECT_PAGE)
    assert "watcher is a monitor: only an admin or operator may" in answer.text
    assert _processor_status(shop) == "inactive"


async def test_an_operator_operates_but_may_not_undeploy(shop: Managed, client: Browserless) -> None:
    await client.login("operator")
    page = await client.get(PROJECT_PAGE)
    assert 'id="activate-processors-ForwardOrders"' in page.text
    assert "Roll back" not in page.text
    answer = await client.post(ACTIVATE, {"csrf": page.csrf, "back": PROJECT_PAGE})
    assert "processor ForwardOrders activated" in answer.text
    assert _processor_status(shop) in ("active", "standby")
    refused = await client.post(PROJECT_PAGE + "/undeploy", {"csrf": page.csrf, "back": PROJECT_PAGE})
    assert "operator is an operator: only an admin may" in refused.text
    assert "shop" in shop.runtime.deployments.running


async def test_an_unknown_store_shows_the_management_apis_message_not_a_trace(client: Browserless) -> None:
    await client.login("admin")
    page = await client.get("/console/stores/Nowhere")
    assert page.status == 404
    assert "Nowhere" in page.text
    assert "Traceback" not in page.text


async def test_a_redirect_after_an_action_never_leaves_the_console(client: Browserless) -> None:
    page = await client.login("admin")
    answer = await client.post(ACTIVATE, {"csrf": page.csrf, "back": "https://evil.example/"})
    assert answer.url.endswith("/console/")
