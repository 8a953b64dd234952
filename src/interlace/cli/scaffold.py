"""``interlace new``: a small project that runs and passes ``interlace check`` and ``interlace test``."""

from __future__ import annotations

from pathlib import Path

__all__ = ["scaffold_project"]

_FILES = {
    "interlace.toml": """\
[project]
name = "{name}"
version = "0.1.0"
# The development profile applies unless another is asked for (`--profile prod`).
default-profile = "dev"

[server]
port = 8290

[configs]
greeting = "Hello"

[profiles.dev.configs]
greeting = "Hello from dev"
""",
    "apis/greeting.yaml": """\
api: GreetingAPI
context: /greeting
resources:
  - methods: [GET]
    uri-template: /{{name}}
    flow:
      - log: "greeting ${{params.pathParams.name}}"
      - sequence: {{name: BuildGreeting, parameters: {{who: "${{params.pathParams.name}}"}}}}
      - respond: {{}}
  - methods: [POST]
    uri-template: /
    flow:
      - validate:
          schema: {{type: object, required: [name], properties: {{name: {{type: string}}}}}}
      - sequence: {{name: BuildGreeting, parameters: {{who: "${{payload.name}}"}}}}
      - respond: {{status: 201}}
""",
    "sequences/build-greeting.yaml": """\
sequence: BuildGreeting
parameters: [who]
flow:
  - payload:
      json: {{message: "${{configs.greeting}}, ${{params.functionParams.who}}!"}}
""",
    "endpoints/.keep": "",
    ".gitignore": """\
# The runtime's local state (checkpoints, attempts) and the editor schemas of `interlace schema`.
.interlace/
""",
    "tests/greeting.yaml": """\
# Run with: interlace test .   (in-process: mocks stand in for endpoints and connector operations)
suite: Greeting
cases:
  - case: a name in the path is greeted
    request: {{method: GET, path: /greeting/Ada}}
    expect:
      status: 200
      json: {{message: "Hello from dev, Ada!"}}  # the default profile, dev, sets the greeting
      logs: [greeting Ada]
  - case: a posted name is greeted with 201
    request: {{method: POST, path: /greeting/, json: {{name: Grace}}}}
    expect:
      status: 201
      json-paths: {{$.message: "Hello from dev, Grace!"}}
  - case: a post without a name is refused
    request: {{method: POST, path: /greeting/, json: {{}}}}
    expect:
      status: 400
""",
}


def scaffold_project(target: Path) -> list[Path]:
    """Write the starter project into ``target`` (which must be empty or absent); return the files."""
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty; choose a new folder")
    name = target.resolve().name or "project"
    written = []
    for relative, text in _FILES.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(name=name), encoding="utf-8")
        written.append(path)
    return written
