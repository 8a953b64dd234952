"""Sample services that Interlace ships for its examples, quickstart and end-to-end tests.

They stand in for the systems an integration talks to, so that an example runs on one machine with no
account anywhere. They are not part of the runtime: nothing in ``interlace`` outside tests, examples and
the ``dev`` profile depends on them.
"""

__all__: list[str] = []
