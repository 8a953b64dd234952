"""The connector in the writing guide (docs/connectors/README.md) builds and conforms."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from interlace.sdk import Connector
from interlace.sdk.testing import assert_connector_conforms

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "connectors" / "README.md"


@pytest.fixture
def guide_connector(tmp_path: Path) -> Iterator[Connector]:
    """The guide's connector and trigger, written to a module file and imported as a package would be."""
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)
    source = tmp_path / "interlace_redis_guide.py"
    source.write_text(blocks[0] + "\n\n" + blocks[1], encoding="utf-8")
    spec = importlib.util.spec_from_file_location("interlace_redis_guide", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        assert isinstance(module.connector, Connector)
        yield module.connector
    finally:
        del sys.modules[spec.name]


def test_the_guides_connector_conforms(guide_connector: Connector) -> None:
    assert_connector_conforms(guide_connector)
    assert list(guide_connector.operations) == ["push"]
    assert list(guide_connector.triggers) == ["listItems"]


def test_the_guides_error_message_is_the_one_users_get(guide_connector: Connector) -> None:
    push = guide_connector.get_operation("push")
    (problem,) = push.validate_static({"key": "k", "value": "v", "head": "maybe"})
    assert problem.message in GUIDE.read_text(encoding="utf-8")
