"""`interlace run` loads what serving a project needs, not what other commands, the console's pages or
unused features need: the modules a served project has imported are read from the server process."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from interlace.management.users import open_user_store
from interlace.model.project import ManagementDefinition
from tests.support import eventually, unused_port, write_project

# Loaded by the first use of what needs them, never to serve a project that uses none of it.
NOT_AT_START = (
    "argon2",  # management users: the first login or new user
    "cryptography",  # refresh tokens at rest, JWT assertions
    "interlace.cli.bundles",  # other commands
    "interlace.cli.connectors",
    "interlace.cli.remote",
    "interlace.cli.server_commands",
    "interlace.diagrams",  # the first diagram drawn
    "jinja2",  # the console's first page
    "jsonschema",  # the first validate mediator, the first management body checked
    "jwt",  # the first login
    "opentelemetry",  # tracing export, when configured
    "rich.table",  # other commands' tables
    "ruamel",  # the console's edits
)

# Runs the command as `python -m interlace` does, and writes the loaded modules once it is ready.
_PROBE = textwrap.dedent(
    """
    import json, sys, threading, time, urllib.request

    out, ready = sys.argv[1], sys.argv[2]

    def report():
        while True:
            try:
                with urllib.request.urlopen(ready, timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.05)
        with open(out + ".part", "w") as file:
            json.dump(sorted(sys.modules), file)
        import os
        os.replace(out + ".part", out)

    threading.Thread(target=report, daemon=True).start()
    sys.argv = ["interlace", *sys.argv[3:]]
    from interlace.cli import main
    main()
    """
)


def _project(root: Path) -> Path:
    """A project serving one API, started before (its management users file is written: a later start
    only reads it)."""
    write_project(
        root,
        {
            "apis/hello.yaml": """
                api: Hello
                context: /hello
                resources:
                  - methods: [GET]
                    uri-template: /
                    flow:
                      - respond: {json: {hello: world}}
            """
        },
    )
    password = {"INTERLACE_ADMIN_PASSWORD": "start-imports-password"}
    open_user_store(root / ManagementDefinition().users_file, password, lambda _: None)
    return root


async def test_run_imports_no_module_a_project_does_not_need(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    out = tmp_path / "modules.json"
    management = unused_port()
    ready = f"http://127.0.0.1:{management}/management/ready"
    command = [sys.executable, "-c", _PROBE, str(out), ready, "run", str(root), "--workers", "1"]
    command += ["--host", "127.0.0.1", "--port", str(unused_port()), "--management-port", str(management)]
    env = {**os.environ, "INTERLACE_ADMIN_PASSWORD": "start-imports-password"}
    server = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        # A whole start of a server: on a loaded machine, tens of seconds.
        await eventually(lambda: out.exists() or server.returncode is not None, 120, what="the server ready")
        assert server.returncode is None, "the server stopped before it was ready"
        modules = set(json.loads(out.read_text()))
    finally:
        if server.returncode is None:
            server.terminate()
        await server.wait()
    assert "interlace.runtime" in modules  # it did serve
    loaded = sorted(
        name
        for name in modules
        if any(name == heavy or name.startswith(heavy + ".") for heavy in NOT_AT_START)
    )
    assert loaded == [], loaded


def test_the_command_line_loads_no_runtime_before_a_command_needs_it() -> None:
    """The parent of several workers runs only the command line: it imports neither the runtime nor the
    servers' libraries."""
    probe = "import sys, json, interlace.cli, interlace.workers; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    modules = set(json.loads(done.stdout))
    for heavy in (
        "aiohttp",
        "interlace.runtime",
        "interlace.sdk",
        "interlace.compiler",
        "interlace.message",
        "lxml",
        "pydantic",
        *NOT_AT_START,
    ):
        assert heavy not in modules
