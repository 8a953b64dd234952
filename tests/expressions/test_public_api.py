"""The package's public surface: exactly the names the compiler and mediators use, sorted."""

from __future__ import annotations

import interlace.expressions as expressions
from interlace import errors


def test_public_names_are_exported_and_sorted() -> None:
    # constants, then classes, then functions: the order ruff keeps __all__ in
    order = sorted(expressions.__all__, key=lambda name: (not name.isupper(), not name[0].isupper(), name))
    assert expressions.__all__ == order
    assert set(expressions.__all__) == {
        "FUNCTIONS",
        "CompileScope",
        "Expression",
        "ExpressionError",
        "FunctionSpec",
        "Template",
        "ValueTemplate",
        "compile_expression",
        "compile_template",
        "compile_value",
        "is_truthy",
        "split_template",
    }
    for name in expressions.__all__:
        assert hasattr(expressions, name)


def test_expression_error_is_the_one_from_the_error_tree() -> None:
    assert expressions.ExpressionError is errors.ExpressionError
