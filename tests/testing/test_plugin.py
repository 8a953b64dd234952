"""The pytest plugin: YAML suites collected as pytest items, and the interlace_project fixture."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from interlace.errors import ConfigError
from interlace.testing import ProjectUnderTest
from tests.testing.shop import PASSING, shop

pytest_plugins = ["pytester"]

_INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"


def test_yaml_suites_are_pytest_items_and_a_failure_shows_its_differences(pytester: pytest.Pytester) -> None:
    failing = PASSING.replace("json-paths: {$.available: false}", "json-paths: {$.available: true}")
    shop(pytester.path / "shop", {"tests/shop.yaml": failing})
    pytester.makeini(_INI)
    result = pytester.runpytest("-p", "no:cacheprovider", "shop/tests")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "tests/shop.yaml:12: a sold-out item is not",
            "body at $.available: expected true, got false",
            "FAILED shop/tests/shop.yaml::a sold-out item is not*",
        ]
    )


def test_yaml_files_outside_a_projects_tests_folder_are_not_collected(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", other="suite: not a project's\ncases: []\n")
    pytester.makeini(_INI)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes()


async def test_the_fixture_loads_a_project_mocks_endpoints_and_runs_a_request(
    interlace_project: Callable[..., ProjectUnderTest], tmp_path: Path
) -> None:
    project = interlace_project(shop(tmp_path, {}))
    project.mock_endpoint("StockEP", {"status": 503}, {"json": {"count": 2}})
    answer = await project.request("GET", "/shop/items/pen")
    assert (answer.status, answer.json()) == (200, {"item": "pen", "available": True})
    assert [call.url for call in answer.calls_of("StockEP")] == ["http://stock.example/stock/pen"] * 2


async def test_the_fixture_mocks_operations_and_runs_a_sequence(
    interlace_project: Callable[..., ProjectUnderTest], tmp_path: Path
) -> None:
    project = interlace_project(shop(tmp_path, {}))
    project.mock_operation("redis.set", result=True)
    run = await project.run_sequence("Remember", json={"kind": "book", "title": "Dune"})
    assert (run.outcome, run.variables["shelf"]) == ("finished", "books")
    (call,) = run.calls_of("redis.set")
    assert call.values == {"key": "shelf:books", "value": "Dune"}


def test_the_fixture_refuses_mocks_that_contradict_the_specs(
    interlace_project: Callable[..., ProjectUnderTest], tmp_path: Path
) -> None:
    project = interlace_project(shop(tmp_path, {}))
    with pytest.raises(ConfigError, match="the project has no endpoint 'StokEP'"):
        project.mock_endpoint("StokEP", json={})
    with pytest.raises(ConfigError, match=r"redis\.set returns boolean; the mocked result does not fit"):
        project.mock_operation("redis.set", result={"not": "a bool"})
