"""Every package exposes its public API by re-export, with a sorted ``__all__`` whose names exist."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import interlace


def _packages() -> list[str]:
    names = ["interlace"]
    for module in pkgutil.walk_packages(interlace.__path__, "interlace."):
        if module.ispkg:
            names.append(module.name)
    return names


def _isort_key(symbol: str) -> tuple[int, str]:
    # Constants, then classes, then functions: the order ruff keeps __all__ in (RUF022).
    if symbol.isupper() or (symbol.upper() == symbol and "_" in symbol):
        return (0, symbol)
    return (1 if symbol[:1].isupper() else 2, symbol)


@pytest.mark.parametrize("name", _packages())
def test_package_all_is_sorted_and_resolves(name: str) -> None:
    package = importlib.import_module(name)
    exported = getattr(package, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert list(exported) == sorted(exported, key=_isort_key), f"{name}.__all__ is not sorted"
    for symbol in exported:
        assert hasattr(package, symbol), f"{name}.__all__ names {symbol!r}, which it does not define"
