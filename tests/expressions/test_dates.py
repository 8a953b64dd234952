"""formatDateTime with Java-style patterns."""

from __future__ import annotations

import pytest

from interlace.errors import ExpressionError

from .messages import evaluate

# 2025-03-04T05:06:07.089Z, a Tuesday
MOMENT = 1741064767089


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("yyyy-MM-dd'T'HH:mm:ss", "2025-03-04T05:06:07"),
        ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2025-03-04T05:06:07.089Z"),
        ("yy/M/d H:m:s", "25/3/4 5:6:7"),
        ("dd MMM yyyy", "04 Mar 2025"),
        ("EEEE, d MMMM yyyy", "Tuesday, 4 March 2025"),
        ("EEE hh:mm a", "Tue 05:06 AM"),
        ("h 'o''clock'", "5 o'clock"),
        ("''yyyy''", "'2025'"),
        ("Z", "+0000"),
        ("X|XX|XXX", "Z|Z|Z"),
    ],
)
def test_epoch_milliseconds_are_formatted_in_utc(pattern: str, expected: str) -> None:
    assert evaluate(f'formatDateTime({MOMENT}, "{pattern}")') == expected


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        ("2025-01-31", "yyyy-MM-dd", "dd/MM/yyyy", "31/01/2025"),
        ("31/01/25", "dd/MM/yy", "yyyy-MM-dd", "2025-01-31"),
        ("7 Feb 1999 11:30 PM", "d MMM yyyy hh:mm a", "yyyy-MM-dd HH:mm", "1999-02-07 23:30"),
        ("2025-01-31T10:00:00+0530", "yyyy-MM-dd'T'HH:mm:ssZ", "HH:mm XXX", "10:00 +05:30"),
        ("2025-01-31T10:00:00-03", "yyyy-MM-dd'T'HH:mm:ssX", "HH:mm XX", "10:00 -0300"),
        ("20250131.123", "yyyyMMdd.SSS", "SSS", "123"),
        ("Friday 31 January 2025", "EEEE d MMMM yyyy", "yyyy-MM-dd", "2025-01-31"),
    ],
)
def test_text_is_read_with_the_source_pattern(value: str, source: str, target: str, expected: str) -> None:
    assert evaluate(f'formatDateTime(\'{value}\', "{source}", "{target}")') == expected


def test_iso_text_is_read_without_a_source_pattern() -> None:
    assert evaluate("formatDateTime('2025-01-31T10:20:30Z', 'HH:mm X')") == "10:20 Z"


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("formatDateTime('31-01-2025', 'yyyy-MM-dd', 'dd')", "cannot read '31-01-2025' with the pattern"),
        ("formatDateTime('2025-02-30', 'yyyy-MM-dd', 'dd')", "impossible date"),
        ("formatDateTime(0, 'yyyy-QQ')", "uses the letter 'Q'"),
        ('formatDateTime(0, "yyyy \'open")', "unclosed quote"),
        ("formatDateTime('yesterday', 'yyyy')", "needs ISO-8601 text"),
        ("formatDateTime(true, 'yyyy')", "needs epoch milliseconds or text"),
        ("formatDateTime(1e20, 'yyyy')", "cannot use 1e+20 as epoch milliseconds"),
    ],
)
def test_bad_dates_and_patterns_are_expression_errors(source: str, fragment: str) -> None:
    with pytest.raises(ExpressionError, match=None) as caught:
        evaluate(source)
    assert fragment in str(caught.value)
