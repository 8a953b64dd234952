"""The server commands against a live server (see :mod:`tests.cli.live_server`), driven as an
operator drives them and checked on their tables and JSON."""

from __future__ import annotations

import asyncio
import json
import logging
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from interlace.cli import app
from interlace.stores import StoredMessage
from tests.cli.live_server import LiveServer, rows
from tests.management.conftest import ADMIN_PASSWORD, MONITOR_PASSWORD


def cli(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=input, terminal_width=240)


def ok(*args: str, input: str | None = None) -> Result:
    result = cli(*args, input=input)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result


@pytest.fixture
def admin(live: LiveServer, config_dir: Path) -> LiveServer:
    """Logged in as admin to the live server, which is the current remote ``shop``."""
    ok("remote", "add", "shop", live.url)
    ok("remote", "use", "shop")
    ok("remote", "login", "--password", ADMIN_PASSWORD)
    return live


def fill(live: LiveServer, store: str, count: int) -> None:
    async def put() -> None:
        assert live.runtime is not None
        for number in range(count):
            await live.runtime.message_store(store).put(
                StoredMessage(
                    f"order-{number}",
                    b'{"order": %d}' % number,
                    "application/json",
                    correlation_id=f"corr-{number}",
                    created=1_700_000_000.0 + number,
                    origin="Orders",
                )
            )

    live.run(put())


def test_the_local_remote_exists_and_is_current_before_anything_is_configured(config_dir: Path) -> None:
    listed = json.loads(ok("remote", "list", "-o", "json").stdout)
    assert listed == [
        {
            "name": "local",
            "current": True,
            "url": "http://127.0.0.1:9164",
            "user": None,
            "role": None,
            "login": "logged out",
        }
    ]
    assert not config_dir.exists()


def test_login_keeps_a_token_in_an_owner_only_file_and_logout_revokes_it(
    live: LiveServer, config_dir: Path
) -> None:
    assert "remote shop: " + live.url in ok("remote", "add", "shop", live.url).stdout
    ok("remote", "use", "shop")
    prompted = ok("remote", "login", "shop", input=ADMIN_PASSWORD + "\n")
    assert "password of admin at " + live.url in prompted.stdout
    assert f"logged in to shop ({live.url}) as admin (admin) until 2023-11-14T23:13:20" in prompted.stdout
    path = config_dir / "remotes.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(config_dir.stat().st_mode) == 0o700
    saved = json.loads(path.read_text())
    token = saved["remotes"]["shop"]["token"]
    assert saved["current"] == "shop"
    table = rows(ok("remote", "list").stdout, column=1)
    assert table["shop"][:5] == ["*", "shop", live.url, "admin", "admin"]
    assert table["shop"][5].endswith(" 2023-11-14T23:13:20.000Z")  # expired by this machine's clock
    assert table["local"] == ["", "local", "http://127.0.0.1:9164", "-", "-", "logged out"]
    assert ADMIN_PASSWORD not in path.read_text()
    assert "logged out of shop" in ok("remote", "logout").stdout
    assert "token" not in json.loads(path.read_text())["remotes"]["shop"]
    # The server refuses the old token from now on, not only this machine forgetting it.
    from interlace.cli.client import ManagementClient, RemoteUnauthorizedError

    with pytest.raises(RemoteUnauthorizedError, match="revoked"):
        asyncio.run(ManagementClient(live.url, token).request("GET", "/apis"))
    refused = cli("get", "apis")
    assert refused.exit_code == 1
    assert f"not logged in to remote shop ({live.url}): run `interlace remote login shop`" in refused.stderr


def test_login_takes_user_and_password_as_mi_does_and_says_when_they_are_wrong(
    live: LiveServer, config_dir: Path
) -> None:
    ok("remote", "add", "shop", live.url)
    assert "as watcher (monitor)" in ok("remote", "login", "shop", "watcher", MONITOR_PASSWORD).stdout
    wrong = cli("remote", "login", "shop", "admin", "not-the-password")
    assert wrong.exit_code == 1
    assert f"cannot log in to shop ({live.url}): wrong user name or password" in wrong.stderr


def test_a_remotes_file_other_users_can_read_is_refused(admin: LiveServer, config_dir: Path) -> None:
    path = config_dir / "remotes.json"
    path.chmod(0o644)
    refused = cli("get", "apis")
    assert refused.exit_code == 1
    assert f"{path} holds login tokens but other users may read or change it (mode 0644)" in refused.stderr
    assert f"chmod 600 {path}" in refused.stderr


def test_an_expired_token_says_to_log_in_again(admin: LiveServer) -> None:
    admin.wall.advance(3601)
    expired = cli("get", "apis")
    assert expired.exit_code == 1
    assert "remote shop: the token has expired: run `interlace remote login shop`" in expired.stderr


def test_using_an_unknown_remote_names_the_known_ones(config_dir: Path) -> None:
    refused = cli("remote", "use", "prod")
    assert refused.exit_code == 1
    assert (
        "no remote named 'prod' (remotes: local); add it with `interlace remote add prod URL`"
        in refused.stderr
    )


def test_an_unreachable_remote_is_said_so(config_dir: Path, unused_tcp_port: int) -> None:
    ok("remote", "add", "gone", f"127.0.0.1:{unused_tcp_port}")
    result = cli("get", "apis", "--remote", "gone")
    assert result.exit_code == 1
    assert f"remote gone: cannot reach http://127.0.0.1:{unused_tcp_port}" in result.stderr


def test_get_shows_every_kind_as_a_table(admin: LiveServer) -> None:
    apis = rows(ok("get", "apis").stdout)
    assert apis["OrdersAPI"] == ["OrdersAPI", "http://localhost:8290/orders", "2"]
    assert rows(ok("get", "sequences").stdout)["Audit"] == ["Audit", "2", "no"]
    endpoints = rows(ok("get", "endpoints").stdout)
    assert endpoints["Backend"][:5] == ["Backend", "http", "active", "no", "0"]
    assert endpoints["Pair"][1] == "failover"
    assert rows(ok("get", "connectors").stdout)["kv"][0] == "kv"
    connections = rows(ok("get", "connections").stdout)
    assert connections["cache"] == ["cache", "kv", "idle", "-"]
    assert rows(ok("get", "stores").stdout)["Orders"] == [
        "Orders",
        "0 / 10000",
        "0 / 104857600",
        "refuse",
        "-",
    ]
    processors = rows(ok("get", "processors").stdout)
    assert processors["ForwardOrders"][:5] == [
        "ForwardOrders",
        "forwarding",
        "inactive",
        "Orders",
        "endpoint Backend",
    ]
    assert rows(ok("get", "deployments").stdout)["shop"][:4] == ["shop", "2.0.0", "yes", "no"]


def test_get_one_shows_its_fields_and_json_and_yaml_are_the_servers_answer(admin: LiveServer) -> None:
    detail = rows(ok("get", "api", "OrdersAPI").stdout)
    assert detail["context"] == ["context", "/orders"]
    assert detail["POST"] == ["POST", "/{id}", "http://localhost:8290/orders/{id}", "apis/orders.yaml:4"]
    assert detail["METHODS"][:2] == ["METHODS", "URI TEMPLATE"]
    listed = json.loads(ok("get", "stores", "-o", "json").stdout)
    assert [(item["name"], item["size"], item["maxMessages"]) for item in listed] == [
        ("DeadLetters", 0, 10_000),
        ("Orders", 0, 10_000),
    ]
    one = yaml.safe_load(ok("get", "processor", "ForwardOrders", "-o", "yaml").stdout)
    assert (one["name"], one["status"], one["target"]) == ("ForwardOrders", "inactive", "Backend")
    missing = cli("get", "endpoint", "Nope")
    assert missing.exit_code == 1
    assert "remote shop: no endpoint named 'Nope' (endpoints: Backend, Pair)" in missing.stderr
    unknown = cli("get", "widgets")
    assert unknown.exit_code == 1
    assert "unknown kind 'widgets'; one of: apis, sequences" in unknown.stderr


class _OlderServer(BaseHTTPRequestHandler):
    """A management API from before inbound endpoints and tasks: every route is missing."""

    def do_GET(self) -> None:
        self._missing()

    def do_POST(self) -> None:
        self._missing()

    def _missing(self) -> None:
        body = json.dumps(
            {"error": {"code": "NOT_FOUND", "message": f"no such route: {self.command} {self.path}"}}
        )
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def older_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OlderServer)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(10)


def test_kinds_a_server_does_not_expose_are_said_so(older_server: str, config_dir: Path) -> None:
    ok("remote", "add", "old", older_server)
    for args, label in (
        (("get", "inbound"), "inbound endpoints (no such route: GET /management/inbound)"),
        (("get", "tasks", "Nightly"), "tasks (no such route: GET /management/tasks/Nightly)"),
        (("trigger", "task", "Nightly"), "tasks (no such route: POST /management/tasks/Nightly/trigger)"),
    ):
        result = cli(*args, "--remote", "old")
        assert result.exit_code == 1
        assert result.stderr.strip() == f"remote old: this server does not expose {label}"


def test_tasks_are_shown_triggered_and_switched(admin: LiveServer) -> None:
    tasks = rows(ok("get", "tasks").stdout)
    assert tasks["Nightly"][:5] == ["Nightly", "cron '0 3 1 1 *'", "inactive", "Audit", "0"]
    triggered = ok("trigger", "task", "Nightly").stdout.strip()
    assert triggered == "task Nightly: triggered (runs: 1, status: inactive)"
    assert ok("activate", "task", "Nightly").stdout.strip() == "task Nightly: active"
    assert json.loads(ok("get", "task", "Nightly", "-o", "json").stdout)["nextRun"] is not None
    assert ok("deactivate", "task", "Nightly").stdout.strip() == "task Nightly: inactive"
    assert "no inbound endpoints" in ok("get", "inbound").stdout
    refused = cli("trigger", "endpoint", "Backend")
    assert refused.exit_code == 1
    assert "only tasks can be triggered (got 'endpoint'): interlace trigger task NAME" in refused.stderr


def test_processors_and_endpoints_are_switched_off_and_on(admin: LiveServer) -> None:
    assert ok("activate", "processor", "ForwardOrders").stdout.strip() == "processor ForwardOrders: active"
    assert rows(ok("get", "processors").stdout)["ForwardOrders"][2] == "active"
    assert (
        ok("deactivate", "processor", "ForwardOrders").stdout.strip() == "processor ForwardOrders: inactive"
    )
    switched = json.loads(ok("deactivate", "endpoint", "Backend", "-o", "json").stdout)
    assert (switched["name"], switched["deactivated"]) == ("Backend", True)
    assert rows(ok("get", "endpoints").stdout)["Backend"][3] == "yes"
    assert ok("activate", "endpoint", "Backend").stdout.strip() == "endpoint Backend: active"
    refused = cli("activate", "store", "Orders")
    assert refused.exit_code == 1
    assert "unknown kind 'store'; one of: endpoint, processor, inbound, task" in refused.stderr


def test_a_monitor_is_refused_a_change_with_the_reason(live: LiveServer, config_dir: Path) -> None:
    ok("remote", "add", "shop", live.url)
    ok("remote", "login", "shop", "--user", "watcher", "--password", MONITOR_PASSWORD)
    assert rows(ok("get", "processors", "-r", "shop").stdout)["ForwardOrders"][2] == "inactive"
    refused = cli("activate", "processor", "ForwardOrders", "-r", "shop")
    assert refused.exit_code == 1
    assert (
        "remote shop: watcher is a monitor: only an admin or operator may run the processor" in refused.stderr
    )
    assert rows(ok("get", "processors", "-r", "shop").stdout)["ForwardOrders"][2] == "inactive"


def test_store_messages_are_browsed_shown_replayed_deleted_and_purged(
    admin: LiveServer, tmp_path: Path
) -> None:
    fill(admin, "DeadLetters", 3)
    browsed = ok("store", "browse", "DeadLetters", "--limit", "2").stdout
    table = rows(browsed)
    assert table["order-0"] == [
        "order-0",
        "2023-11-14T22:13:20+00:00",
        "0",
        "Orders",
        "application/json",
        "12",
        "-",
    ]
    assert "order-2" not in table
    assert "DeadLetters: messages 1-2 of 3" in browsed
    listed = rows(ok("store", "list").stdout)
    assert listed["DeadLetters"][:2] == ["DeadLetters", "3 / 10000"]
    assert listed["DeadLetters"][3] == "refuse"
    shown = ok("store", "show", "DeadLetters", "order-1")
    assert rows(shown.stdout)["correlationId"] == ["correlationId", "corr-1"]
    assert shown.stdout.rstrip().endswith('{"order": 1}')
    payload = tmp_path / "fixed.json"
    payload.write_text('{"order": 10}')
    replayed = ok("store", "replay", "DeadLetters", "order-1", "--payload-file", str(payload))
    assert replayed.stdout.strip() == "replayed message order-1 into Orders"
    moved = json.loads(ok("store", "show", "Orders", "order-1", "-o", "json").stdout)
    assert moved["payload"] == '{"order": 10}'
    assert (
        ok("store", "delete", "DeadLetters", "order-0").stdout.strip()
        == "deleted message order-0 of DeadLetters"
    )
    gone = cli("store", "show", "DeadLetters", "order-0")
    assert gone.exit_code == 1
    assert "message store DeadLetters holds no message 'order-0'" in gone.stderr
    declined = cli("store", "purge", "DeadLetters", input="n\n")
    assert declined.exit_code == 1
    assert "nothing was purged" in declined.stderr
    assert json.loads(ok("get", "store", "DeadLetters", "-o", "json").stdout)["size"] == 1
    confirmed = ok("store", "purge", "DeadLetters", input="y\n")
    assert "purged 1 messages of DeadLetters" in confirmed.stdout
    assert json.loads(ok("store", "purge", "Orders", "--yes", "-o", "json").stdout) == {"purged": 1}
    assert ok("store", "browse", "Orders").stdout.strip() == "Orders: no messages from 1 on (it holds 0)"


def test_a_message_replayed_into_its_own_store_stays_there(admin: LiveServer) -> None:
    fill(admin, "Orders", 2)
    replayed = ok("store", "replay", "Orders", "order-1")
    assert replayed.stdout.strip() == "replayed message order-1 into Orders"
    kept = json.loads(ok("store", "show", "Orders", "order-1", "-o", "json").stdout)
    assert (kept["payload"], kept["attempts"]) == ('{"order": 1}', 0)
    renamed = json.loads(ok("store", "replay", "Orders", "order-0", "--new-id", "-o", "json").stdout)
    new_id = renamed["message"]["id"]
    assert new_id != "order-0"
    listed = json.loads(ok("store", "browse", "Orders", "-o", "json").stdout)
    assert sorted(message["id"] for message in listed["items"]) == sorted(["order-1", new_id])


def test_log_level_changes_a_logger_of_the_running_server(admin: LiveServer) -> None:
    changed = ok("log-level", "interlace.cli.probe", "debug").stdout.strip()
    assert changed == "logger interlace.cli.probe: DEBUG (effective DEBUG)"
    assert json.loads(ok("log-level", "interlace.cli.probe", "-o", "json").stdout)["level"] == "DEBUG"
    refused = cli("log-level", "interlace.cli.probe", "LOUD")
    assert refused.exit_code == 1
    assert "remote shop: body" in refused.stderr


def test_api_show_prints_names_and_urls_as_mi_does(admin: LiveServer) -> None:
    assert ok("api", "show").stdout == "NAME : OrdersAPI\nURL : http://localhost:8290/orders\n"
    assert ok("api", "show", "OrdersAPI").stdout == "NAME : OrdersAPI\nURL : http://localhost:8290/orders\n"


def test_connections_of_the_running_server_are_tested(admin: LiveServer) -> None:
    assert ok("connection", "test", "cache", "--server").stdout.startswith("connection cache: ok (")
    failed = cli("connection", "test", "locked", "--server")
    assert failed.exit_code == 1
    assert failed.stdout.startswith("connection locked: ")
    assert rows(ok("get", "connection", "locked").stdout)["state"] == ["state", "failed"]


def test_logs_prints_the_recent_lines_of_the_running_server(admin: LiveServer) -> None:
    probe = logging.getLogger("interlace.cli.probe")
    probe.warning("first line", extra={"correlation_id": "c-1"})
    probe.info("second line")
    printed = ok("logs", "--logger", "interlace.cli.probe").stdout.splitlines()
    assert [line.split(" ", 1)[1] for line in printed] == [
        "WARNING interlace.cli.probe [c-1] first line",
        "INFO    interlace.cli.probe [-] second line",
    ]
    assert ok("logs", "--logger", "interlace.cli.probe", "-n", "1").stdout.endswith("second line\n")
    assert ok("logs", "--logger", "interlace.cli.probe", "--level", "warning").stdout.count("\n") == 1
