"""Encoding functions of the expression language: Base64 and URL (form) encoding."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from interlace.errors import ExpressionError
from interlace.expressions.registry import describe, expect_text, function

__all__: list[str] = []


def _bytes_of(function_name: str, value: Any, charset: str) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    text = expect_text(function_name, value)
    try:
        return text.encode(charset)
    except LookupError as exc:
        raise ExpressionError(f"{function_name}() does not know the charset {charset!r}") from exc
    except UnicodeEncodeError as exc:
        raise ExpressionError(f"{function_name}() cannot encode the text in {charset}: {exc.reason}") from exc


def _text_of(function_name: str, data: bytes, charset: str) -> str:
    try:
        return data.decode(charset)
    except LookupError as exc:
        raise ExpressionError(f"{function_name}() does not know the charset {charset!r}") from exc
    except UnicodeDecodeError as exc:
        raise ExpressionError(f"{function_name}() result is not {charset} text: {exc.reason}") from exc


@function("base64encode(text[, charset])", "base64encode('hello') → \"aGVsbG8=\"")
def _base64_encode(text: Any, charset: Any = "utf-8") -> str:
    """The Base64 encoding of the text's bytes in ``charset`` (default UTF-8); binary values are encoded
    as they are."""
    encoding = expect_text("base64encode", charset, "the charset")
    return base64.b64encode(_bytes_of("base64encode", text, encoding)).decode("ascii")


@function("base64decode(text[, charset])", "base64decode('aGVsbG8=') → \"hello\"")
def _base64_decode(text: Any, charset: Any = "utf-8") -> str:
    """The text whose bytes in ``charset`` (default UTF-8) the Base64 input encodes."""
    encoded = expect_text("base64decode", text, "the Base64 text")
    encoding = expect_text("base64decode", charset, "the charset")
    try:
        data = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ExpressionError(f"base64decode() needs valid Base64 text (got {describe(text)})") from exc
    return _text_of("base64decode", data, encoding)


@function("urlEncode(text[, charset])", "urlEncode('a b&c') → \"a+b%26c\"")
def _url_encode(text: Any, charset: Any = "utf-8") -> str:
    """The text encoded for a URL query or form: spaces become ``+``, and every byte other than letters,
    digits and ``. - * _`` becomes ``%XX`` (of the text's bytes in ``charset``, default UTF-8)."""
    encoding = expect_text("urlEncode", charset, "the charset")
    data = _bytes_of("urlEncode", text, encoding)
    return quote_plus(data, safe="*").replace("~", "%7E")


@function("urlDecode(text[, charset])", "urlDecode('a+b%26c') → \"a b&c\"")
def _url_decode(text: Any, charset: Any = "utf-8") -> str:
    """The inverse of ``urlEncode``: ``+`` becomes a space and ``%XX`` sequences bytes in ``charset``."""
    encoded = expect_text("urlDecode", text)
    encoding = expect_text("urlDecode", charset, "the charset")
    try:
        return unquote_plus(encoded, encoding=encoding, errors="strict")
    except LookupError as exc:
        raise ExpressionError(f"urlDecode() does not know the charset {encoding!r}") from exc
    except UnicodeDecodeError as exc:
        raise ExpressionError(f"urlDecode() result is not {encoding} text: {exc.reason}") from exc
