"""Which messages a users.messages.list call selects: label ids, spam/trash inclusion, and a small ``q``.

``q`` understands a subset of Gmail's search syntax, enough for tests and examples: ``from:``, ``to:``
(To, Cc and Bcc), ``subject:``, ``in:`` (``inbox``, ``sent``, ``trash``, ``spam``, ``anywhere``),
``is:`` / ``label:`` (a label id such as ``unread``), and bare words, which must all occur in the subject
or the text. Matching is case-insensitive substring matching; quoting and operators are not supported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from interlace.samples.mailbox.mail import ReceivedMail

__all__ = ["MessageSelection"]

_HIDDEN = ("TRASH", "SPAM")


@dataclass(frozen=True, slots=True)
class MessageSelection:
    """The filter of one list call; ``selects(message)`` answers whether a message is listed."""

    label_ids: Sequence[str] = ()
    include_spam_trash: bool = False
    query: str = ""

    def selects(self, message: ReceivedMail) -> bool:
        labels = set(message.labels)
        if not all(label.upper() in labels for label in self.label_ids):
            return False
        terms = self.query.split()
        if not self._may_show_hidden(terms) and labels.intersection(_HIDDEN):
            return False
        return all(_term_matches(term, message) for term in terms)

    def _may_show_hidden(self, terms: Sequence[str]) -> bool:
        if self.include_spam_trash or any(label.upper() in _HIDDEN for label in self.label_ids):
            return True
        return any(term.lower() in ("in:trash", "in:spam", "in:anywhere") for term in terms)


def _term_matches(term: str, message: ReceivedMail) -> bool:
    key, colon, value = term.partition(":")
    key, value = key.lower(), value.lower()
    if not colon or not value:
        return term.lower() in f"{message.subject}\n{message.text or ''}\n{message.html or ''}".lower()
    if key == "from":
        return value in message.sender.lower()
    if key == "to":
        return any(value in address.lower() for address in (*message.to, *message.cc, *message.bcc))
    if key == "subject":
        return value in message.subject.lower()
    if key == "in":
        return value == "anywhere" or value.upper() in message.labels
    if key in ("is", "label"):
        return value.upper() in message.labels
    return term.lower() in f"{message.subject}\n{message.text or ''}".lower()
