from __future__ import annotations

import pytest

from interlace.errors import ConfigError
from interlace.model.base import validate_definition
from interlace.model.durations import format_duration, parse_duration
from interlace.model.endpoint import EndpointDefinition
from interlace.model.yamlsource import load_yaml

FILE = "endpoints/hospital.yaml"

FULL = """\
endpoint: HospitalReserveEP
http:
  method: post
  url: "${configs.backend}/${vars.hospital_id}/categories/${params.pathParams.category}/reserve"
  headers: {X-Source: interlace}
  timeout: 250ms
  retry:
    max-attempts: 4
    backoff: 100ms
    max-backoff: 2s
    on-status: [504, 503, 503]
  suspend:
    after-failures: 5
    initial-duration: 10s
    factor: 3
    max-duration: 5m
    on-status: [500]
"""


def load(text: str) -> EndpointDefinition:
    return validate_definition(EndpointDefinition, load_yaml(text, FILE), FILE)


def problem(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(text)
    return str(caught.value)


def test_full_http_definition_reads_every_key() -> None:
    definition = load(FULL)
    http = definition.http
    assert definition.kind == "http" and definition.name == "HospitalReserveEP"
    assert http is not None and http.retry is not None and http.suspend is not None
    assert http.method == "POST"
    assert http.url.startswith("${configs.backend}/")
    assert http.headers == {"X-Source": "interlace"}
    assert http.timeout == 0.25
    assert (http.retry.max_attempts, http.retry.backoff, http.retry.max_backoff) == (4, 0.1, 2.0)
    assert http.retry.on_status == (503, 504)
    assert (http.suspend.after_failures, http.suspend.initial_duration) == (5, 10.0)
    assert (http.suspend.factor, http.suspend.max_duration, http.suspend.on_status) == (3.0, 300.0, (500,))
    assert definition.location_of("http").line == 2


def test_http_definition_defaults() -> None:
    http = load("endpoint: E\nhttp: {url: 'http://x'}\n").http
    assert http is not None
    assert (http.method, http.timeout, http.retry, http.suspend, http.follow_redirects) == (
        None,
        30.0,
        None,
        None,
        False,
    )


def test_numeric_header_values_are_text() -> None:
    http = load("endpoint: E\nhttp:\n  url: http://x\n  headers: {X-Retries: 3, X-Debug: true}\n").http
    assert http is not None and http.headers == {"X-Retries": "3", "X-Debug": "true"}


def test_groups_list_their_members() -> None:
    balanced = load("endpoint: G\nload-balance: {members: [A, B]}\n")
    failover = load("endpoint: F\nfailover:\n  members: [Primary, Secondary]\n")
    assert (balanced.kind, balanced.members) == ("load-balance", ("A", "B"))
    assert balanced.load_balance is not None and balanced.load_balance.algorithm == "round-robin"
    assert (failover.kind, failover.members) == ("failover", ("Primary", "Secondary"))


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "endpoint: E\nhttp:\n  url: http://x\n  timeout: abc\n",
            f"http.timeout: must be a duration like 30s or 250ms (got 'abc') at {FILE}:4",
        ),
        (
            "endpoint: E\nhttp:\n  url: http://x\n  timeout: -1\n",
            f"http.timeout: must be > 0 (got -1) at {FILE}:4",
        ),
        (
            "endpoint: E\nhttp:\n  url: http://x\n  timeout: 0ms\n",
            f"http.timeout: must be > 0 (got '0ms') at {FILE}:4",
        ),
        (
            "endpoint: E\nhttp:\n  url: http://x\n  retry:\n    max-attempts: 0\n",
            f"http.retry.max-attempts: must be >= 1 (got 0) at {FILE}:5",
        ),
        (
            "endpoint: E\nhttp:\n  url: http://x\n  retry:\n    on-status: [503, 42]\n",
            f"http.retry.on-status.1: must be an HTTP status code between 100 and 599 (got 42) at {FILE}:5",
        ),
        (
            "endpoint: E\nhttp:\n  url: http://x\n  retry:\n    backoff: 5s\n    max-backoff: 1s\n",
            f"http.retry.max-backoff: must be >= backoff (5s) (got '1s') at {FILE}:6",
        ),
        (
            "endpoint: E\nhttp:\n  url: http://x\n  retry:\n    deadline: 0\n",
            f"http.retry.deadline: must be > 0 (got 0) at {FILE}:5",
        ),
        (
            "endpoint: E\nhttp:\n  url: http://x\n  timeout: 10s\n  retry:\n    deadline: 5s\n",
            "http: retry.deadline must be >= timeout (10s): the deadline bounds the whole call, so a shorter "
            f"one would cut even the first attempt short; lower timeout instead (got 5s) at {FILE}:2",
        ),
        (
            "endpoint: E\nhttp:\n  url: http://x\n  suspend:\n    after-failures: 0\n",
            f"http.suspend.after-failures: must be >= 1 (got 0) at {FILE}:5",
        ),
        (
            "endpoint: E\nhttp:\n  url: http://x\n  suspend:\n    factor: 0.5\n",
            f"http.suspend.factor: must be >= 1 (got 0.5) at {FILE}:5",
        ),
        (
            "endpoint: E\nhttp:\n  url: http://x\n  suspend:\n"
            "    initial-duration: 1m\n    max-duration: 10s\n",
            f"http.suspend.max-duration: must be >= initial-duration (1m) (got '10s') at {FILE}:6",
        ),
        (
            "endpoint: E\nhttp:\n  url: http://x\n  method: FETCH\n",
            "http.method: must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS "
            f"(got 'FETCH') at {FILE}:4",
        ),
        (
            "endpoint: E\nhttp:\n  url: http://x\n  headers:\n    X-Ok: 1\n    Bad Name: x\n",
            f"http.headers.Bad Name.[key]: a header name must be letters, digits and - only (got 'Bad Name') "
            f"at {FILE}:6",
        ),
        ("endpoint: E\nhttp:\n  url: http://x\n  colour: red\n", f"unknown key 'colour' at {FILE}:4"),
        ("endpoint: E\nhttp:\n  timeout: 1s\n", f"missing required key 'url' at {FILE}:2"),
        (
            "endpoint: 9lives\nfailover: {members: [A]}\n",
            "endpoint: must start with a letter or _ and hold only letters, digits, _ . - "
            f"(got '9lives') at {FILE}:1",
        ),
        (
            "endpoint: E\nhttp: {url: 'http://x'}\nfailover: {members: [A]}\n",
            "endpoint 'E' must have exactly one of http, load-balance or failover "
            f"(got http and failover) at {FILE}:3",
        ),
        (
            "endpoint: E\ndescription: nothing\n",
            "endpoint 'E' must have exactly one of http, load-balance or failover "
            f"(got none of them) at {FILE}:1",
        ),
        (
            "endpoint: G\nload-balance:\n  members: []\n",
            f"members must name at least one endpoint (got []) at {FILE}:3",
        ),
        (
            "endpoint: G\nfailover:\n  members:\n    - A\n    - B\n    - A\n",
            f"members must name each endpoint once (got 'A' twice, first at line 4) at {FILE}:6",
        ),
        (
            "endpoint: G\nload-balance: {algorithm: random, members: [A]}\n",
            f"load-balance.algorithm: Input should be 'round-robin' (got 'random') at {FILE}:2",
        ),
    ],
)
def test_invalid_definition_is_reported_at_its_line(yaml_text: str, message: str) -> None:
    assert problem(yaml_text) == message


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("250ms", 0.25),
        ("30s", 30.0),
        ("1.5s", 1.5),
        ("2m", 120.0),
        ("1h", 3600.0),
        ("10 S", 10.0),
        (3, 3.0),
        (0.5, 0.5),
    ],
)
def test_parse_duration_reads_units_and_plain_seconds(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["abc", "10", "5 minutes", "1d", "", "nan", True])
def test_parse_duration_names_the_accepted_forms(text: str | bool) -> None:
    with pytest.raises(ValueError, match=r"must be a duration like 30s or 250ms \(got .+\)"):
        parse_duration(text)


def test_format_duration_is_short() -> None:
    assert [format_duration(s) for s in (0.25, 1.0, 1.5, 120.0, 90.0)] == ["250ms", "1s", "1.5s", "2m", "90s"]
