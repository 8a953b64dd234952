from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Iterable

import pytest

from interlace.sdk import (
    ENTRY_POINT_GROUP,
    Connector,
    ConnectorRegistry,
    EntryPointLike,
    RegistryError,
    UnknownConnectorError,
)
from interlace.sdk.testing import StaticEntryPoint, connector_entry_point

from .kv import KvConnection, connector

other = Connector("other", version="0.3.0", connection=KvConnection, description="Another.")
impostor = Connector("kv", version="9.9.9", connection=KvConnection, description="Same name.")


class FakeEntryPoints:
    """A changeable set of installed entry points, as if packages were installed and removed."""

    def __init__(self, *entry_points: EntryPointLike) -> None:
        self.installed = list(entry_points)
        self.scans = 0

    def __call__(self) -> Iterable[EntryPointLike]:
        self.scans += 1
        return list(self.installed)


def _registry(*entry_points: EntryPointLike) -> ConnectorRegistry:
    return ConnectorRegistry(FakeEntryPoints(*entry_points))


def test_connectors_are_found_through_their_entry_points() -> None:
    registry = _registry(
        connector_entry_point(other, distribution="interlace-other"), connector_entry_point(connector)
    )
    assert registry.names() == ["kv", "other"]
    assert registry.get("kv") is connector
    entry = registry.entry("other")
    assert (entry.distribution, entry.entry_point) == ("interlace-other", "other = static")
    assert [entry.connector.version for entry in registry.entries()] == ["1.2.0", "0.3.0"]


def test_the_registry_scans_lazily_once() -> None:
    source = FakeEntryPoints(connector_entry_point(connector))
    registry = ConnectorRegistry(source)
    assert source.scans == 0
    registry.names()
    registry.get("kv")
    assert source.scans == 1


def test_operations_and_triggers_are_found_by_qualified_name() -> None:
    registry = _registry(connector_entry_point(connector))
    assert registry.operation("kv.getValue") is connector.get_operation("getValue")
    assert registry.trigger("kv.changes") is connector.get_trigger("changes")


def test_an_unknown_operation_suggests_the_closest_one() -> None:
    registry = _registry(connector_entry_point(connector))
    with pytest.raises(
        UnknownConnectorError, match=re.escape("connector 'kv' has no operation 'getvalue'")
    ) as caught:
        registry.operation("kv.getvalue")
    assert caught.value.hint == "did you mean 'getValue'?"


def test_an_unknown_connector_suggests_the_closest_one_or_lists_them() -> None:
    registry = _registry(connector_entry_point(connector), connector_entry_point(other))
    with pytest.raises(UnknownConnectorError, match=re.escape("no connector 'kvv' is installed")) as caught:
        registry.operation("kvv.put")
    assert caught.value.hint == "did you mean 'kv'?"
    with pytest.raises(UnknownConnectorError) as caught:
        registry.get("gmail")
    assert caught.value.hint == "installed: kv, other"
    with pytest.raises(UnknownConnectorError) as caught:
        _registry().get("gmail")
    assert caught.value.hint == "no connector is installed"


@pytest.mark.parametrize("written", ["kvput", ".put", "kv."])
def test_a_name_that_is_not_connector_dot_operation_is_rejected(written: str) -> None:
    with pytest.raises(
        UnknownConnectorError, match=re.escape("a connector operation is written 'connector.operation'")
    ):
        _registry(connector_entry_point(connector)).operation(written)


def test_a_duplicate_name_is_rejected_naming_both_packages() -> None:
    registry = _registry(
        StaticEntryPoint("kv", connector, "interlace-kv", "interlace_kv:connector"),
        StaticEntryPoint("kv", impostor, "kv-fork", "kv_fork.main:connector"),
    )
    with pytest.raises(RegistryError) as caught:
        registry.names()
    assert str(caught.value) == (
        "the installed connectors cannot be used: connector 'kv' is registered by two packages:"
        " interlace-kv (kv = interlace_kv:connector) and kv-fork (kv = kv_fork.main:connector);"
        " uninstall one of them"
    )


def test_the_same_connector_seen_twice_is_not_a_duplicate() -> None:
    registry = _registry(connector_entry_point(connector), connector_entry_point(connector))
    assert registry.names() == ["kv"]


def test_entry_points_that_do_not_load_a_connector_are_all_reported() -> None:
    class Broken:
        name = "broken"
        value = "broken_pkg:connector"
        dist = None

        def load(self) -> object:
            raise ImportError("No module named 'broken_pkg'")

    registry = _registry(
        Broken(),
        StaticEntryPoint("notaconnector", object(), "pkg-a"),
        StaticEntryPoint("renamed", other, "pkg-b"),
    )
    assert registry.names() == ["broken", "notaconnector", "renamed"]  # found without importing them
    with pytest.raises(RegistryError) as caught:
        registry.entries()
    assert caught.value.detail == [
        "entry point 'broken' = 'broken_pkg:connector' of an unknown package failed to load:"
        " ImportError: No module named 'broken_pkg'",
        "entry point 'notaconnector' = 'static' of pkg-a must name a Connector object (got object)",
        "entry point 'renamed' = 'static' of pkg-b names connector 'other';"
        " the entry point must be called 'other'",
    ]
    assert str(caught.value).startswith(
        "the installed connectors cannot be used: 3 problems: entry point 'broken'"
    )


def test_refresh_picks_up_installed_and_removed_connectors() -> None:
    source = FakeEntryPoints(connector_entry_point(connector))
    registry = ConnectorRegistry(source)
    assert registry.names() == ["kv"]
    source.installed.append(connector_entry_point(other))
    assert registry.names() == ["kv"]
    registry.refresh()
    assert registry.names() == ["kv", "other"]
    source.installed.pop(0)
    registry.refresh()
    assert registry.names() == ["other"]


def test_a_refresh_that_finds_a_conflict_keeps_the_previous_connectors() -> None:
    source = FakeEntryPoints(connector_entry_point(connector))
    registry = ConnectorRegistry(source)
    assert registry.get("kv") is connector
    source.installed.append(connector_entry_point(impostor, distribution="kv-fork"))
    with pytest.raises(RegistryError, match=re.escape("registered by two packages")):
        registry.refresh()
    assert registry.get("kv") is connector


def test_real_entry_points_are_read_the_same_way() -> None:
    real = importlib.metadata.EntryPoint("json", "json:dumps", ENTRY_POINT_GROUP)
    with pytest.raises(
        RegistryError, match=re.escape("entry point 'json' = 'json:dumps' of an unknown package must name")
    ):
        ConnectorRegistry(lambda: [real]).get("json")


def test_the_default_source_reads_the_installed_distributions() -> None:
    registry = ConnectorRegistry()
    registry.refresh()
    assert all(isinstance(entry.connector, Connector) for entry in registry.entries())


class _Extras:
    """Package metadata declaring optional extras, as ``importlib.metadata`` reads them."""

    def __init__(self, *extras: str) -> None:
        self.extras = list(extras)

    def get_all(self, key: str) -> list[str] | None:
        return self.extras if key == "Provides-Extra" else None


class _Distribution:
    def __init__(self, name: str, *extras: str) -> None:
        self.name = name
        self.metadata = _Extras(*extras)


class _Missing:
    """An entry point whose module imports a client library that is not installed."""

    value = "interlace.connectors.kafka:connector"

    def __init__(self, name: str, dist: _Distribution) -> None:
        self.name = name
        self.dist = dist
        self.loads = 0

    def load(self) -> object:
        self.loads += 1
        raise ModuleNotFoundError("No module named 'aiokafka'", name="aiokafka")


def test_a_connector_is_imported_at_its_first_use_not_when_listed() -> None:
    missing = _Missing("kafka", _Distribution("interlace", "kafka"))
    registry = _registry(connector_entry_point(connector), missing)
    assert registry.names() == ["kafka", "kv"]
    assert registry.get("kv") is connector
    assert missing.loads == 0
    assert [entry.connector for entry in registry.imported()] == [connector]


def test_a_connector_whose_library_is_missing_names_the_extra_to_install() -> None:
    registry = _registry(_Missing("kafka", _Distribution("interlace", "kafka", "redis")))
    with pytest.raises(RegistryError) as caught:
        registry.get("kafka")
    assert caught.value.message == (
        "connector 'kafka' needs the Python module 'aiokafka', which is not installed;"
        " install it with: pip install 'interlace[kafka]'"
    )


def test_a_package_without_an_extra_for_its_connector_is_to_be_reinstalled() -> None:
    registry = _registry(_Missing("kafka", _Distribution("interlace-kafka")))
    with pytest.raises(RegistryError, match=re.escape("pip install --force-reinstall interlace-kafka")):
        registry.get("kafka")


def test_a_listing_shows_the_connectors_that_load_and_why_the_others_do_not() -> None:
    registry = _registry(
        connector_entry_point(connector), _Missing("kafka", _Distribution("interlace", "kafka"))
    )
    loaded, problems = registry.load_all()
    assert [entry.connector for entry in loaded] == [connector]
    assert list(problems) == ["kafka"]
    assert problems["kafka"].endswith("install it with: pip install 'interlace[kafka]'")
