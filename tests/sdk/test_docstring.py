from __future__ import annotations

from interlace.sdk._docstring import parse_docstring


def test_a_docstring_splits_into_description_arguments_and_result() -> None:
    parsed = parse_docstring(
        """Send a message.

        It goes out at once.

        Args:
            to: Who receives it.
            messageBody (str): The text,
                on as many lines as needed.

        Returns:
            The id of
            the sent message.
        """
    )
    assert parsed.description == "Send a message.\n\nIt goes out at once."
    assert parsed.arguments == {
        "to": "Who receives it.",
        "messageBody": "The text, on as many lines as needed.",
    }
    assert parsed.returns == "The id of the sent message."


def test_a_missing_docstring_describes_nothing() -> None:
    parsed = parse_docstring(None)
    assert (parsed.description, parsed.arguments, parsed.returns) == ("", {}, "")
