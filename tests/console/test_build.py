"""Building in the console, without a browser: the catalog and its generated forms, an admin adding and
changing a flow's step through a form (the management API edits the file, checks and redeploys), an
edit refused with the problems at their lines, uploading a bundle, and what a monitor may not do."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from interlace.runtime.bundles import build_bundle
from tests.console.conftest import Browserless
from tests.management.conftest import ENV, PROJECT, REGISTRY, Managed
from tests.management.test_side_by_side import project
from tests.support import write_project

AUDIT_PAGE = "/console/projects/shop/sequences/Audit"
STEPS = "/console/projects/shop/steps"


def _editor(mode: str, position: int, kind: str = "") -> str:
    query = {
        "file": "sequences/audit.yaml",
        "path": f'["flow", {position}]',
        "mode": mode,
        "back": AUDIT_PAGE,
    }
    return STEPS + "?" + urlencode({**query, **({"kind": kind} if kind else {})})


def _audit(shop: Managed) -> str:
    return (shop.runtime.deployments.active("shop").root / "sequences" / "audit.yaml").read_text()


async def test_the_catalog_shows_each_kind_with_its_generated_form(client: Browserless) -> None:
    await client.login("watcher")
    catalog = await client.get("/console/catalog")
    assert catalog.status == 200
    assert 'href="/console/catalog/log"' in catalog.text
    assert 'id="connector-kv"' in catalog.text
    log = await client.get("/console/catalog/log")
    assert 'name="opt.level"' in log.text and "<option>warning</option>" in log.text
    assert "The line to log" in log.text  # the option's own description


async def test_only_an_admins_diagram_offers_the_step_editor(client: Browserless) -> None:
    await client.login("watcher")
    assert "data-step-editor" not in (await client.get(AUDIT_PAGE)).text
    await client.post("/console/logout", {"csrf": (await client.get("/console/")).csrf})
    await client.login("admin")
    assert f'data-step-editor="{STEPS}"' in (await client.get(AUDIT_PAGE)).text


async def test_an_admin_adds_a_log_step_through_its_form(shop: Managed, client: Browserless) -> None:
    await client.login("admin")
    editor = await client.get(_editor("add", 2, "log"))
    assert editor.status == 200 and 'name="opt.message"' in editor.text
    form = {
        "csrf": editor.csrf,
        "file": "sequences/audit.yaml",
        "path": '["flow", 2]',
        "mode": "add",
        "kind": "log",
        "back": AUDIT_PAGE,
        "opt.message": "added from the console",
        "opt.level": "warning",
        "opt.headers": "",
    }
    page = await client.post(STEPS, form)
    assert page.url.endswith(AUDIT_PAGE)
    assert "log step added at sequences/audit.yaml:5; shop 2.0.0 redeployed" in page.text
    assert _audit(shop).endswith("  - log:\n      message: added from the console\n      level: warning\n")
    assert len(shop.runtime.artifacts.sequences["Audit"].mediators) == 3


async def test_changing_a_step_shows_its_settings_and_saves_them(shop: Managed, client: Browserless) -> None:
    await client.login("admin")
    editor = await client.get(_editor("edit", 1))
    assert 'value="done"' in editor.text  # `log: done` read through the shorthand
    form = {
        "csrf": editor.csrf,
        "file": "sequences/audit.yaml",
        "path": '["flow", 1]',
        "mode": "edit",
        "kind": "log",
        "back": AUDIT_PAGE,
        "opt.message": "all done",
    }
    page = await client.post(STEPS, form)
    assert "log step changed at sequences/audit.yaml:4" in page.text
    assert "  - log:\n      message: all done\n" in _audit(shop)


async def test_an_edit_with_problems_shows_them_at_their_lines_and_keeps_the_form(
    shop: Managed, client: Browserless
) -> None:
    await client.login("admin")
    before = _audit(shop)
    editor = await client.get(_editor("add", 0, "call"))
    form = {
        "csrf": editor.csrf,
        "file": "sequences/audit.yaml",
        "path": '["flow", 0]',
        "mode": "add",
        "kind": "call",
        "back": AUDIT_PAGE,
        "opt.endpoint": "Nowhere",
    }
    page = await client.post(STEPS, form)
    assert page.status == 422
    assert "<code>sequences/audit.yaml:4</code> unknown endpoint &#39;Nowhere&#39;" in page.text
    assert 'value="Nowhere"' in page.text
    assert _audit(shop) == before


async def test_a_monitor_is_refused_by_the_management_api(shop: Managed, client: Browserless) -> None:
    await client.login("watcher")
    before = _audit(shop)
    editor = await client.get(_editor("add", 0, "log"))
    form = {"csrf": editor.csrf, "file": "sequences/audit.yaml", "path": '["flow", 0]', "mode": "add"}
    page = await client.post(STEPS, {**form, "kind": "log", "back": AUDIT_PAGE, "opt.message": "x"})
    assert page.status == 403
    assert "watcher is a monitor: only an admin may" in page.text
    assert _audit(shop) == before


async def test_an_admin_deploys_an_uploaded_bundle(
    shop: Managed, client: Browserless, tmp_path: Path
) -> None:
    page = await client.login("admin")
    assert 'action="/console/deployments"' in page.text
    toml = PROJECT["interlace.toml"].replace("2.0.0", "2.5.0")
    bundle = build_bundle(
        write_project(tmp_path / "next", {**PROJECT, "interlace.toml": toml}),
        tmp_path / "dist",
        env=ENV,
        connectors=REGISTRY,
    )
    form = aiohttp.FormData()
    form.add_field("csrf", page.csrf)
    form.add_field("bundle", bundle.read_bytes(), filename="shop-2.5.0.zip", content_type="application/zip")
    async with client.session.post("/console/deployments", data=form) as answer:
        assert "shop 2.5.0 deployed and active" in await answer.text()
    assert shop.runtime.deployments.active("shop").version == "2.5.0"


async def test_an_upload_without_the_sessions_csrf_token_is_refused(
    shop: Managed, client: Browserless
) -> None:
    await client.login("admin")
    form = aiohttp.FormData()
    form.add_field("csrf", "0" * 64)
    form.add_field("bundle", b"PK not a bundle", filename="x.zip", content_type="application/zip")
    async with client.session.post("/console/deployments", data=form) as answer:
        assert answer.status == 403
    assert shop.runtime.deployments.active("shop").version == "2.0.0"


async def test_a_projects_page_shows_its_own_stores_and_services_only(
    shop: Managed, client: Browserless, tmp_path: Path
) -> None:
    other = project("billing", "1.0.0", "/billing")
    bundle = build_bundle(
        write_project(tmp_path / "billing", other), tmp_path / "dist", env=ENV, connectors=REGISTRY
    )
    await shop.runtime.deployments.deploy(bundle.read_bytes())
    await client.login("watcher")
    shop_page = await client.get("/console/projects/shop")
    billing_page = await client.get("/console/projects/billing")
    assert 'id="store-Orders"' in shop_page.text and "billingPayments" not in shop_page.text
    assert "ForwardOrders" in shop_page.text and "billingForwarder" not in shop_page.text
    assert 'id="store-billingPayments"' in billing_page.text and "Orders" not in billing_page.text
