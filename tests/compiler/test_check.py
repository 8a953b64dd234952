"""``check_project`` over broken projects: each problem's exact message, file:line and hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from interlace.compiler import check_project
from interlace.compiler.compile import installed_connectors
from interlace.model.load import load_project

from .conftest import Check, Problem, sequence, write_files

_INSTALLED = sorted(installed_connectors().names())
INSTALLED_HINT = f"installed: {', '.join(_INSTALLED)}" if _INSTALLED else "no connector is installed"

ENDPOINT_B = "endpoint: HospitalEP\nhttp: {url: 'http://127.0.0.1:9/b'}\n"

CASES: dict[str, tuple[dict[str, str], list[Problem]]] = {
    "unknown key of a mediator": (
        {"sequences/a.yaml": sequence("- log: {message: x, levl: info}")},
        [("sequences/a.yaml:3", "log: unknown key 'levl'", "did you mean 'level'?")],
    ),
    "unknown key of an artifact": (
        {"sequences/a.yaml": "sequence: A\nflow: []\nflows: []\n"},
        [("sequences/a.yaml:3", "unknown key 'flows'", "did you mean 'flow'?")],
    ),
    "wrong types": (
        {
            "sequences/a.yaml": sequence(
                """
                - log: {message: x, headers: maybe}
                - foreach: {collection: payload, flow: [log: a], concurrency: 0}
                """
            )
        },
        [
            (
                "sequences/a.yaml:3",
                "log: headers: Input should be a valid boolean, unable to interpret input (got 'maybe')",
                None,
            ),
            (
                "sequences/a.yaml:4",
                "foreach: concurrency: Input should be greater than or equal to 1 (got 0)",
                None,
            ),
        ],
    ),
    "missing required keys": (
        {
            "sequences/a.yaml": sequence("- variable: {value: 1}\n- call: {}"),
            "apis/a.yaml": "api: A\nresources:\n  - flow: [respond]\n",
        },
        [
            ("apis/a.yaml:1", "missing required key 'context'", None),
            ("sequences/a.yaml:3", "variable: missing required key 'name'", None),
            ("sequences/a.yaml:4", "call: missing required key 'endpoint'", None),
        ],
    ),
    "unresolved names with hints": (
        {
            "sequences/a.yaml": sequence(
                "- call: HospitalEp\n- sequence: Mian\n- call: {endpoint: Elsewhere}"
            ),
            "sequences/b.yaml": sequence("- sequence: {name: Nowhere}", "Other"),
            "endpoints/hospital.yaml": ENDPOINT_B,
        },
        [
            ("sequences/a.yaml:3", "unknown endpoint 'HospitalEp'", "did you mean 'HospitalEP'?"),
            ("sequences/a.yaml:4", "unknown sequence 'Mian'", "did you mean 'Main'?"),
            ("sequences/a.yaml:5", "unknown endpoint 'Elsewhere'", "define it in endpoints/Elsewhere.yaml"),
            ("sequences/b.yaml:3", "unknown sequence 'Nowhere'", "define it in sequences/Nowhere.yaml"),
        ],
    ),
    "an unknown on-error sequence": (
        {
            "apis/a.yaml": """
                api: A
                context: /a
                resources:
                  - flow: [respond]
                    on-error: ErrorSequnce
                on-error: Missing
            """,
            "sequences/error.yaml": sequence("- respond", "ErrorSequence"),
        },
        [("apis/a.yaml:5", "unknown sequence 'ErrorSequnce'", "did you mean 'ErrorSequence'?")],
    ),
    "bad expressions and an unknown function": (
        {
            "sequences/a.yaml": sequence(
                """
                - log: "a ${payload.}"
                - variable: {name: x, value: "${toUpperr(payload.a)}"}
                - filter: {condition: "payload.a &&", then: []}
                - log: "${configs.nope}"
                - log: "${payload.a} ${unclosed"
                """
            )
        },
        [
            (
                "sequences/a.yaml:3",
                "expected a name after '.', found the end of the expression at column 9 in ${payload.}",
                None,
            ),
            (
                "sequences/a.yaml:4",
                "unknown function 'toUpperr' (did you mean 'toUpper'?) at column 1 in ${toUpperr(payload.a)}",
                None,
            ),
            (
                "sequences/a.yaml:5",
                "expected a value, a path or a function call, found the end of the expression"
                " at column 13 in ${payload.a &&}",
                None,
            ),
            (
                "sequences/a.yaml:6",
                "unknown configuration key 'configs.nope' at column 8 in ${configs.nope}",
                None,
            ),
            (
                "sequences/a.yaml:7",
                "unclosed '${' at column 14 in '${payload.a} ${unclosed': expected '}' after the expression"
                " (write \\${ for a literal '${')",
                None,
            ),
        ],
    ),
    "a duplicate resource": (
        {
            "apis/a.yaml": """
                api: A
                context: /a
                resources:
                  - uri-template: /x
                    flow: [respond]
                  - methods: [get]
                    uri-template: /x
                    flow: [respond]
            """
        },
        [
            (
                "apis/a.yaml:6",
                "API 'A': resource 1 (GET /x) claims the same requests as resource 0 (GET /x):"
                " change its URI template or methods, or remove one",
                "give each resource its own methods or URI template",
            )
        ],
    ),
    "unknown mediators": (
        {"sequences/a.yaml": sequence("- lgo: x\n- nosuch.send: {}\n- {log: x, drop: null}")},
        [
            ("sequences/a.yaml:3", "unknown mediator 'lgo'", "did you mean 'log'?"),
            (
                "sequences/a.yaml:4",
                "no connector 'nosuch' is installed",
                INSTALLED_HINT,
            ),
            (
                "sequences/a.yaml:5",
                "a mediator is a mapping with one key naming its kind (got log, drop)",
                "write each mediator as its own list item: - log: {...}",
            ),
        ],
    ),
    "mediators nested in filter and foreach": (
        {
            "sequences/a.yaml": sequence(
                """
                - filter:
                    condition: "true"
                    then:
                      - lgo: x
                    else:
                      - variable: {nme: x}
                - foreach:
                    collection: payload
                    flow:
                      - call: Nope
                """
            )
        },
        [
            ("sequences/a.yaml:6", "unknown mediator 'lgo'", "did you mean 'log'?"),
            ("sequences/a.yaml:8", "variable: unknown key 'nme'", "did you mean 'name'?"),
            ("sequences/a.yaml:12", "unknown endpoint 'Nope'", "define it in endpoints/Nope.yaml"),
        ],
    ),
    "invalid YAML": (
        {"sequences/a.yaml": "sequence: A\nflow:\n  - log: [x\n  - drop\n"},
        [
            (
                "sequences/a.yaml:4",
                "invalid YAML: expected ',' or ']', but got '<stream end>'"
                " (while parsing a flow sequence at line 3)",
                None,
            )
        ],
    ),
    "a duplicate YAML key": (
        {"sequences/a.yaml": "sequence: A\nflow: []\nflow: []\n"},
        [("sequences/a.yaml:3", "duplicate key 'flow' (first at line 2)", None)],
    ),
    "a duplicate artifact name": (
        {"sequences/a.yaml": sequence("- log: x", "A"), "sequences/b.yaml": sequence("- log: y", "A")},
        [("sequences/b.yaml:1", "duplicate sequence name 'A' (also defined at sequences/a.yaml:1)", None)],
    ),
    "a file that is not an artifact": (
        {"sequences/a.yaml": "- log: x\n", "apis/b.yaml": "name: B\n"},
        [
            ("apis/b.yaml:1", "a file in apis/ must be a mapping whose 'api' key names the api", None),
            (
                "sequences/a.yaml:1",
                "a file in sequences/ must be a mapping whose 'sequence' key names the sequence",
                None,
            ),
        ],
    ),
    "bad TOML": (
        {"interlace.toml": '[project]\nname = "t"\nversion = \n'},
        [("interlace.toml:3", "invalid TOML: Invalid value at column 11", None)],
    ),
    "wrong values in interlace.toml": (
        {"interlace.toml": '[project]\nname = "t"\n\n[server]\nport = "x"\nbogus = 1\n'},
        [
            (
                "interlace.toml:5",
                "server.port: Input should be a valid integer,"
                " unable to parse string as an integer (got 'x')",
                None,
            ),
            (
                "interlace.toml:6",
                "unknown key 'bogus'",
                "the keys allowed here: host, port, max-body-size, graceful-timeout, header-timeout, body-timeout, keepalive-timeout, max-connections, access-log, deploy-dir",
            ),
        ],
    ),
    "an invalid JSON Schema and a missing schema file": (
        {
            "sequences/a.yaml": sequence(
                "- validate: {schema: {type: objekt}}\n- validate: {schema-file: nope.json}"
            )
        },
        [
            (
                "sequences/a.yaml:3",
                "invalid JSON Schema: 'objekt' is not valid under any of the given schemas",
                None,
            ),
            ("sequences/a.yaml:4", "cannot read schema-file 'nope.json': No such file or directory", None),
        ],
    ),
    "a bad switch regex": (
        {
            "sequences/a.yaml": sequence(
                """
                - switch:
                    on: "${payload.code}"
                    match: regex
                    cases:
                      "A-\\\\d+": [log: a]
                      "(": [log: b]
                """
            )
        },
        [
            (
                "sequences/a.yaml:6",
                "switch case '(' is not a valid regular expression:"
                " missing ), unterminated subpattern at position 0",
                None,
            )
        ],
    ),
    "bad enrich targets and payload bodies": (
        {
            "sequences/a.yaml": sequence(
                """
                - enrich: {source: 1, target: body.x}
                - foreach: {collection: payload, flow: [], target: vars}
                - payload: {}
                - payload: {json: 1, text: a}
                """
            )
        },
        [
            (
                "sequences/a.yaml:3",
                "target must start with one of payload, vars, headers, props (got 'body.x')",
                "e.g. payload, payload.items, vars.result, headers.X-Id, props.x",
            ),
            (
                "sequences/a.yaml:4",
                "target 'vars' must name a var: vars.NAME",
                "e.g. payload, payload.items, vars.result, headers.X-Id, props.x",
            ),
            ("sequences/a.yaml:5", "payload: give one of json, xml, text", None),
            ("sequences/a.yaml:6", "payload: give only one of json, xml, text (got json, text)", None),
        ],
    ),
    "an endpoint group with an unknown member and a cycle": (
        {
            "endpoints/a.yaml": "endpoint: A\nfailover: {members: [G]}\n",
            "endpoints/b.yaml": "endpoint: B\nhttp: {url: 'http://127.0.0.1:9/b'}\n",
            "endpoints/g.yaml": "endpoint: G\nload-balance:\n  members: [A, Bx]\n",
        },
        [
            ("endpoints/g.yaml:2", "endpoint groups refer to each other in a cycle: A -> G -> A", None),
            ("endpoints/g.yaml:2", "endpoint G: unknown member endpoint 'Bx'", "did you mean 'B'?"),
        ],
    ),
    "a group that is its own member": (
        {
            "endpoints/b.yaml": "endpoint: B\nhttp: {url: 'http://127.0.0.1:9/b'}\n",
            "endpoints/self.yaml": "endpoint: Self\nfailover:\n  members: [B, Self]\n",
        },
        [("endpoints/self.yaml:2", "endpoint groups refer to each other in a cycle: Self -> Self", None)],
    ),
    "a broken artifact is not also reported as an unknown name": (
        {
            "sequences/a.yaml": "sequence: A\nflow: []\nbogus: 1\n",
            "sequences/b.yaml": sequence("- sequence: A\n- call: E", "B"),
            "endpoints/e.yaml": "endpoint: E\nhttp: {url: 'http://x', timeout: -1}\n",
        },
        [
            ("endpoints/e.yaml:2", "http.timeout: must be > 0 (got -1)", None),
            (
                "sequences/a.yaml:3",
                "unknown key 'bogus'",
                "the keys allowed here: sequence, description, parameters, flow, on-error",
            ),
        ],
    ),
}


@pytest.mark.parametrize(("files", "expected"), CASES.values(), ids=CASES.keys())
def test_check_reports_each_problem_at_its_line(
    check: Check, files: dict[str, str], expected: list[Problem]
) -> None:
    assert check(files) == expected


PROFILES = """
[project]
name = "t"

[configs]
backend = "http://localhost:9090"
token = "${env.API_TOKEN}"
region = "${env.REGION:-eu}"

[profiles.dev.configs]
backend = "http://127.0.0.1:9090"

[profiles.prod.configs]
backend = "${env.BACKEND_URL}"
"""


def test_an_unknown_profile_is_reported_with_a_hint(check: Check) -> None:
    problems = check({"interlace.toml": PROFILES}, profile="deve", env={"API_TOKEN": "t"})
    assert problems == [
        ("interlace.toml:9", "unknown profile 'deve' (profiles: dev, prod)", "did you mean 'dev'?")
    ]


def test_a_missing_environment_variable_is_reported_at_its_config_key(check: Check) -> None:
    problems = check({"interlace.toml": PROFILES}, profile="prod")
    assert problems == [
        (
            "interlace.toml:6",
            "environment variable API_TOKEN is not set",
            "export API_TOKEN=... or give a default: ${env.API_TOKEN:-value}",
        ),
        (
            "interlace.toml:13",
            "environment variable BACKEND_URL is not set",
            "export BACKEND_URL=... or give a default: ${env.BACKEND_URL:-value}",
        ),
    ]
    assert (
        check({"interlace.toml": PROFILES}, profile="prod", env={"API_TOKEN": "t", "BACKEND_URL": "u"}) == []
    )


def test_a_project_without_interlace_toml_is_not_a_project(tmp_path: Path) -> None:
    [problem] = check_project(load_project(tmp_path / "nothing", env={}))
    assert (str(problem.location), problem.hint) == (
        "interlace.toml:1",
        "create one with `interlace new DIR`",
    )
    assert problem.message == f"{tmp_path / 'nothing'} is not an Interlace project: interlace.toml is missing"


def test_an_unknown_mediator_far_from_any_known_one_lists_them_all(check: Check) -> None:
    [(where, message, hint)] = check({"sequences/a.yaml": sequence("- log: x\n- frobnicate")})
    assert (where, message) == ("sequences/a.yaml:4", "unknown mediator 'frobnicate'")
    assert hint is not None and hint.startswith("known mediators: cache, call, drop, enrich, fault, filter, ")


def test_every_problem_of_a_project_is_reported_sorted_by_file_and_line(check: Check) -> None:
    problems = check(
        {
            "interlace.toml": '[project]\nname = "t"\n\n[server]\nport = -1\n',
            "sequences/z.yaml": sequence("- call: Nope\n- lgo: x", "Z"),
            "sequences/a.yaml": sequence("- log: '${payload.'\n- sequence: Zz", "A"),
            "apis/m.yaml": "api: M\ncontext: /m\nresources:\n  - flow: [{respond: {statuss: 1}}]\n",
            "endpoints/e.yaml": "endpoint: E\nhttp: {url: 'http://x', timeot: 1s}\n",
        }
    )
    assert [where for where, _, _ in problems] == [
        "apis/m.yaml:4",
        "endpoints/e.yaml:2",
        "interlace.toml:5",
        "sequences/a.yaml:3",
        "sequences/a.yaml:4",
        "sequences/z.yaml:3",
        "sequences/z.yaml:4",
    ]
    assert [message for _, message, _ in problems][:3] == [
        "respond: unknown key 'statuss'",
        "unknown key 'timeot'",
        "server.port: Input should be greater than or equal to 0 (got -1)",
    ]


# a misspelt key hides nothing, and is answered with the key it is a near miss of ---------------------

MISSPELT_API = """\
api: A
context: /a
descripton: typos everywhere
resources:
  - methods: [GET]
    uri-templat: /x
    flow:
      - lgo: hi
      - call: NoSuchEP
      - variable: {name: v, value: "${payload.(}"}
      - filter:
          condition: "${configs.nope}"
          thn: []
          else:
            - sequence: Missing
      - respond: {statu: 200, json: "${vars.(}"}
"""


def test_a_misspelt_key_does_not_hide_the_other_problems_of_its_file(check: Check) -> None:
    assert check({"apis/a.yaml": MISSPELT_API}) == [
        ("apis/a.yaml:3", "unknown key 'descripton'", "did you mean 'description'?"),
        ("apis/a.yaml:6", "unknown key 'uri-templat'", "did you mean 'uri-template'?"),
        ("apis/a.yaml:8", "unknown mediator 'lgo'", "did you mean 'log'?"),
        ("apis/a.yaml:9", "unknown endpoint 'NoSuchEP'", "define it in endpoints/NoSuchEP.yaml"),
        ("apis/a.yaml:10", "expected a name after '.', found '(' at column 9 in ${payload.(}", None),
        ("apis/a.yaml:12", "unknown configuration key 'configs.nope' at column 8 in ${configs.nope}", None),
        ("apis/a.yaml:13", "filter: unknown key 'thn'", "did you mean 'then'?"),
        ("apis/a.yaml:15", "unknown sequence 'Missing'", "define it in sequences/Missing.yaml"),
        ("apis/a.yaml:16", "respond: unknown key 'statu'", "did you mean 'status'?"),
        ("apis/a.yaml:16", "expected a name after '.', found '(' at column 6 in ${vars.(}", None),
    ]


def test_an_unknown_key_far_from_any_allowed_one_lists_the_allowed_keys(check: Check) -> None:
    assert check({"sequences/a.yaml": sequence("- log: {message: x, source: y}")}) == [
        (
            "sequences/a.yaml:3",
            "log: unknown key 'source'",
            "the keys allowed here: message, level, category, headers, full",
        )
    ]


def test_a_misspelt_kind_of_endpoint_is_answered_with_the_kind(check: Check) -> None:
    assert check({"endpoints/e.yaml": "endpoint: E\nhtp:\n  url: http://x\n"}) == [
        (
            "endpoints/e.yaml:2",
            "endpoint 'E' must have exactly one of http, load-balance or failover (got none of them)",
            "did you mean 'http'?",
        )
    ]


def test_a_wrong_value_does_not_hide_the_flow_beside_it(check: Check) -> None:
    files = {"sequences/a.yaml": "sequence: A\nparameters: 5\nflow:\n  - call: Nope\n"}
    assert check(files) == [
        ("sequences/a.yaml:2", "parameters: Input should be a valid list (got 5)", None),
        ("sequences/a.yaml:4", "unknown endpoint 'Nope'", "define it in endpoints/Nope.yaml"),
    ]


USES_CONFIGS = {"sequences/a.yaml": sequence("- log: '${configs.backend}'")}


def test_a_misspelt_configs_table_is_reported_once_not_at_every_use(check: Check) -> None:
    toml = '[project]\nname = "t"\n\n[config]\nbackend = "http://x"\n'
    assert check({"interlace.toml": toml, **USES_CONFIGS}) == [
        ("interlace.toml:4", "unknown key 'config'", "did you mean 'configs'?")
    ]
    profile = '[project]\nname = "t"\n\n[profiles.dev.config]\nbackend = "http://x"\n'
    assert check({"interlace.toml": profile, **USES_CONFIGS}, profile="dev") == [
        ("interlace.toml:4", "unknown key 'config'", "did you mean 'configs'?")
    ]


def test_an_unreadable_interlace_toml_is_reported_once_not_at_every_use_of_configs(check: Check) -> None:
    toml = '[project]\nname = "t"\n\n[configs]\nbackend = \n'
    assert check({"interlace.toml": toml, **USES_CONFIGS}) == [
        ("interlace.toml:5", "invalid TOML: Invalid value at column 11", None)
    ]


def test_an_unknown_profile_is_reported_once_not_at_every_use_of_its_configs(check: Check) -> None:
    toml = '[project]\nname = "t"\n\n[profiles.dev.configs]\nbackend = "http://x"\n'
    assert check({"interlace.toml": toml, **USES_CONFIGS}, profile="deve") == [
        ("interlace.toml:4", "unknown profile 'deve' (profiles: dev)", "did you mean 'dev'?")
    ]


def test_a_real_unknown_configuration_key_is_still_reported_beside_other_toml_problems(check: Check) -> None:
    toml = '[project]\nname = "t"\n\n[server]\nport = -1\n\n[configs]\nother = 1\n'
    assert check({"interlace.toml": toml, **USES_CONFIGS}) == [
        ("interlace.toml:5", "server.port: Input should be greater than or equal to 0 (got -1)", None),
        (
            "sequences/a.yaml:3",
            "unknown configuration key 'configs.backend' at column 8 in ${configs.backend}",
            None,
        ),
    ]


# the default profile -----------------------------------------------------------------------------------

DEFAULT_PROFILE = """\
[project]
name = "t"
default-profile = "dev"

[configs]
backend = "${env.BACKEND_URL}"

[profiles.dev.configs]
backend = "http://127.0.0.1:9090"
"""


def test_the_default_profile_applies_when_none_is_asked_for(tmp_path: Path) -> None:
    root = write_files(tmp_path / "p", {"interlace.toml": DEFAULT_PROFILE, **USES_CONFIGS})
    project = load_project(root, env={})
    assert (project.profile, project.configs["backend"]) == ("dev", "http://127.0.0.1:9090")
    assert check_project(project) == []
    asked = load_project(root, "prod", env={})
    assert asked.profile == "prod"


def test_an_unknown_default_profile_is_reported_at_its_line(check: Check) -> None:
    toml = DEFAULT_PROFILE.replace('default-profile = "dev"', 'default-profile = "deb"')
    assert check({"interlace.toml": toml, **USES_CONFIGS}) == [
        ("interlace.toml:3", "unknown default-profile 'deb' (profiles: dev)", "did you mean 'dev'?")
    ]


def test_a_misspelt_connection_setting_is_answered_with_the_setting(check: Check) -> None:
    files = {"connections/mail.yaml": "connection: mail\nconnector: gmail\ntokn-url: http://x\n"}
    problems = check(files)
    assert (
        "connections/mail.yaml:3",
        "connection mail (gmail): unknown key 'tokn-url'",
        "did you mean 'token-url'?",
    ) in problems


def test_wso2_style_camel_case_connection_settings_are_answered_with_the_kebab_case_key(
    check: Check,
) -> None:
    files = {
        "connections/mail.yaml": (
            "connection: mail\nconnector: gmail\nclientId: app\nclientSecret: s3cret\n"
            "refreshToken: r\napiUrl: http://x\nuserId: me\n"
        )
    }
    problems = check(files)
    for line, key, kebab in (
        (3, "clientId", "client-id"),
        (4, "clientSecret", "client-secret"),
        (5, "refreshToken", "refresh-token"),
        (6, "apiUrl", "api-url"),
        (7, "userId", "user-id"),
    ):
        expected = (f"connections/mail.yaml:{line}", f"connection mail (gmail): unknown key {key!r}")
        assert (*expected, f"did you mean {kebab!r}?") in problems
    assert not any("s3cret" in str(problem) for problem in problems)


def test_a_misspelt_required_key_is_one_problem_and_what_it_holds_is_still_checked(check: Check) -> None:
    api = """\
api: A
context: /a
resorces:
  - methods: [GET]
    flwo:
      - lgo: hi
      - filter:
          condtion: "${payload.(}"
          then: [{call: Nope}]
"""
    assert check({"apis/a.yaml": api}) == [
        ("apis/a.yaml:3", "unknown key 'resorces'", "did you mean 'resources'?"),
        ("apis/a.yaml:5", "unknown key 'flwo'", "did you mean 'flow'?"),
        ("apis/a.yaml:6", "unknown mediator 'lgo'", "did you mean 'log'?"),
        ("apis/a.yaml:8", "filter: unknown key 'condtion'", "did you mean 'condition'?"),
        ("apis/a.yaml:8", "expected a name after '.', found '(' at column 9 in ${payload.(}", None),
        ("apis/a.yaml:9", "unknown endpoint 'Nope'", "define it in endpoints/Nope.yaml"),
    ]
