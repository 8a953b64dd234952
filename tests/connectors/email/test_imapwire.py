from __future__ import annotations

from datetime import date

from interlace.connectors.email.imapwire import (
    copied_uid,
    fetched,
    mailbox_name,
    quote,
    search_date,
    searched,
)


def test_mailbox_names_use_modified_utf7_as_rfc_3501_shows() -> None:
    assert mailbox_name("~peter/mail/台北/日本語") == '"~peter/mail/&U,BTFw-/&ZeVnLIqe-"'
    assert mailbox_name("R&D") == '"R&-D"'


def test_quoted_strings_escape_quotes_and_backslashes() -> None:
    assert quote('a "b" \\c') == '"a \\"b\\" \\\\c"'


def test_search_dates_use_the_imap_date_form() -> None:
    assert search_date(date(2024, 2, 1)) == "1-Feb-2024"


def test_fetch_data_is_read_with_literals_and_items_after_them() -> None:
    lines = [
        b"1 FETCH (UID 5 FLAGS (\\Seen $Work) BODY[HEADER.FIELDS (FROM SUBJECT)] {9}",
        b"From: a\r\n",
        b' RFC822.SIZE 120 X-NOTE "a \\"q\\"" X-NIL NIL)',
        b"2 FETCH (UID 7 FLAGS ())",
    ]
    assert fetched(lines) == [
        {
            "UID": "5",
            "FLAGS": ["\\Seen", "$Work"],
            "BODY[HEADER.FIELDS (FROM SUBJECT)]": b"From: a\r\n",
            "RFC822.SIZE": "120",
            "X-NOTE": 'a "q"',
            "X-NIL": None,
        },
        {"UID": "7", "FLAGS": []},
    ]


def test_search_and_copyuid_responses() -> None:
    assert searched([b"3 5 8"]) == [3, 5, 8]
    assert searched([b""]) == []
    assert copied_uid([b"OK [COPYUID 9 5 12] moved", b"1 EXPUNGE"], "MOVE completed") == 12
    assert copied_uid([], "[COPYUID 9 5 13] COPY completed") == 13
    assert copied_uid([], "MOVE completed") is None
