"""The `mi` command against a live server, typed as a WSO2 Micro Integrator operator types it, checked
on MI's columns and on the one-line errors an operator gets instead of a traceback."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner, Result

from interlace.cli import app
from interlace.cli.mi import mi_app
from tests.cli.live_server import LiveServer
from tests.management.conftest import ADMIN_PASSWORD, MONITOR_PASSWORD


def mi(*args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(mi_app, list(args), input=input, terminal_width=240)
    assert "Traceback" not in result.output
    return result


def ok(*args: str) -> str:
    result = mi(*args)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


def refused(*args: str) -> str:
    """The one line a refused command prints on stderr (it exits 1)."""
    result = mi(*args)
    assert result.exit_code == 1, (args, result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr.strip()


def add_shop(live: LiveServer) -> None:
    address = urlsplit(live.url)
    assert ok("remote", "add", "shop", str(address.hostname), str(address.port)) == (
        f"Added remote shop ({live.url})\n"
    )
    ok("remote", "select", "shop")


@pytest.fixture
def admin(live: LiveServer, config_dir: Path) -> LiveServer:
    """Logged in as admin with `mi remote login admin PASSWORD` to the live server, the current remote."""
    add_shop(live)
    ok("remote", "login", "admin", ADMIN_PASSWORD)
    return live


def test_remotes_are_added_selected_logged_in_and_shared_with_interlace(
    live: LiveServer, config_dir: Path
) -> None:
    add_shop(live)
    assert "logged in to shop" in ok("remote", "login", "watcher", MONITOR_PASSWORD)
    shown = ok("remote", "show").splitlines()
    assert [line.split() for line in shown] == [
        ["NAME", "URL", "USER", "LOGGED", "IN", "CURRENT"],
        ["local", "http://127.0.0.1:9164", "-", "no"],
        ["shop", live.url, "watcher", "yes", "*"],
    ]
    assert shown[0].index("URL") == shown[2].index(live.url) == len("local") + 5
    listed = json.loads(CliRunner().invoke(app, ["remote", "list", "-o", "json"]).stdout)
    assert [(each["name"], each["current"], each["user"]) for each in listed] == [
        ("local", False, None),
        ("shop", True, "watcher"),
    ]
    assert (config_dir / "remotes.json").exists()
    assert ok("remote", "logout") == "logged out of shop\n"
    assert ok("remote", "show").splitlines()[2].split() == ["shop", live.url, "-", "no", "*"]


def test_every_kind_is_listed_in_mi_columns(admin: LiveServer) -> None:
    assert ok("api", "show") == "NAME        URL\nOrdersAPI   http://localhost:8290/orders\n"
    assert ok("endpoint", "show").splitlines() == [
        "NAME      TYPE       ACTIVE",
        "Backend   http       true",
        "Pair      failover   true",
    ]
    assert ok("sequence", "show").splitlines() == ["NAME      MEDIATORS", "Audit     2"]
    assert ok("proxyservice", "show") == "NAME      WSDL 1.1   WSDL 2.0\n"
    connectors = ok("connector", "show").splitlines()
    assert connectors[0].split() == ["NAME", "STATUS", "PACKAGE", "DESCRIPTION"]
    assert connectors[1].split()[:2] == ["kv", "enabled"]
    assert ok("messagestore", "show").splitlines() == [
        "NAME          TYPE      SIZE",
        "DeadLetters   memory    0",
        "Orders        memory    0",
    ]
    assert ok("messageprocessor", "show").splitlines() == [
        "NAME            TYPE         STATUS",
        "ForwardOrders   forwarding   inactive",
    ]
    assert ok("inboundendpoint", "show") == "NAME      TYPE\n"
    assert ok("task", "show").splitlines() == ["NAME", "Nightly"]
    assert ok("localentry", "show") == "NAME      TYPE\n"


def test_one_artifact_is_shown_as_mi_details(admin: LiveServer) -> None:
    assert ok("api", "show", "OrdersAPI").splitlines() == [
        "Name - OrdersAPI",
        "Url - http://localhost:8290/orders",
        "Context - /orders",
        "Project - shop",
        "Location - apis/orders.yaml:1",
        "Resources:",
        "URL       METHOD",
        "/{id}     POST",
        "/         GET",
    ]
    processor = ok("messageprocessor", "show", "ForwardOrders").splitlines()
    assert processor[:5] == [
        "Name - ForwardOrders",
        "Type - forwarding",
        "Status - inactive",
        "Message Store - Orders",
        "Target - Backend",
    ]
    assert ok("endpoint", "show", "Backend").splitlines()[:3] == [
        "Name - Backend",
        "Type - http",
        "Active - true",
    ]
    assert ok("task", "show", "Nightly").splitlines()[0] == "Name - Nightly"
    assert ok("messagestore", "show", "Orders").splitlines()[:3] == [
        "Name - Orders",
        "Type - memory",
        "Size - 0",
    ]


def test_message_processors_are_activated_and_deactivated(admin: LiveServer) -> None:
    assert ok("messageprocessor", "activate", "ForwardOrders") == "ForwardOrders : activated (active)\n"
    assert ok("messageprocessor", "show").splitlines()[1].split() == ["ForwardOrders", "forwarding", "active"]
    assert ok("messageprocessor", "deactivate", "ForwardOrders") == "ForwardOrders : deactivated (inactive)\n"


def test_log_levels_are_shown_and_updated(admin: LiveServer) -> None:
    assert ok("log-level", "update", "interlace.mi.probe", "debug").splitlines() == [
        "Logger Name - interlace.mi.probe",
        "Log Level - DEBUG",
        "Effective Level - DEBUG",
    ]
    assert ok("log-level", "show", "interlace.mi.probe").splitlines()[1] == "Log Level - DEBUG"


def test_logs_prints_the_servers_recent_lines(admin: LiveServer) -> None:
    logging.getLogger("interlace.mi.probe").warning("from the server")
    assert ok("logs", "--logger", "interlace.mi.probe").endswith(
        "WARNING interlace.mi.probe [-] from the server\n"
    )


def test_commands_before_login_say_to_log_in(live: LiveServer, config_dir: Path) -> None:
    add_shop(live)
    for command in (("api", "show"), ("messageprocessor", "activate", "ForwardOrders"), ("logs",)):
        assert refused(*command) == f"not logged in to remote shop ({live.url}): run `mi remote login`"
    # interlace's own commands, on the same remote, keep their own hint.
    other = CliRunner().invoke(app, ["get", "apis"])
    assert f"not logged in to remote shop ({live.url}): run `interlace remote login shop`" in other.stderr


def test_wrong_credentials_are_said_so(live: LiveServer, config_dir: Path) -> None:
    add_shop(live)
    assert refused("remote", "login", "admin", "admin") == (
        f"cannot log in to shop ({live.url}): wrong user name or password"
    )


def test_an_unknown_artifact_names_the_known_ones(admin: LiveServer) -> None:
    assert (
        refused("endpoint", "show", "Nope")
        == "remote shop: no endpoint named 'Nope' (endpoints: Backend, Pair)"
    )
    assert (
        refused("localentry", "show", "Nope") == "no localentry named 'Nope': Interlace has no local entries"
    )


def test_a_monitor_may_look_but_not_deactivate(live: LiveServer, config_dir: Path) -> None:
    add_shop(live)
    ok("remote", "login", "watcher", MONITOR_PASSWORD)
    assert ok("messageprocessor", "show").startswith("NAME ")
    assert refused("messageprocessor", "deactivate", "ForwardOrders").startswith("remote shop: ")


def test_selecting_an_unknown_remote_says_how_to_add_it(config_dir: Path) -> None:
    assert refused("remote", "select", "dev") == (
        "no remote named 'dev' (remotes: local); add it with `mi remote add dev HOST PORT`"
    )


def test_without_a_remote_selected_nothing_answering_says_how_to_add_one(
    config_dir: Path, unused_tcp_port: int
) -> None:
    ok("remote", "add", "gone", "127.0.0.1", str(unused_tcp_port))
    ok("remote", "select", "gone")
    line = refused("api", "show")
    assert line.startswith(f"remote gone: cannot reach http://127.0.0.1:{unused_tcp_port}")
    assert line.endswith("; add your server with `mi remote add NAME HOST PORT` and `mi remote select NAME`")
