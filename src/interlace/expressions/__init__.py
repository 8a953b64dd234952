"""The ``${...}`` expression language: parse and compile once at load time, evaluate per message.

``compile_expression`` compiles the text inside ``${...}``; ``compile_template`` a string with zero or
more ``${...}``; ``compile_value`` a nested YAML value whose strings are templates. Load-time values
(``configs``, ``env``) come in a :class:`CompileScope` and are folded into the compiled closures.
The language is described in docs/reference/expressions.md.
"""

from interlace.errors import ExpressionError
from interlace.expressions.code import CompileScope
from interlace.expressions.evaluate import Expression, compile_expression
from interlace.expressions.functions import FUNCTIONS, FunctionSpec
from interlace.expressions.template import (
    Template,
    ValueTemplate,
    compile_template,
    compile_value,
    split_template,
)
from interlace.expressions.values import is_truthy

__all__ = [
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
]
