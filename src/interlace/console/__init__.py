"""The web console: pages over the management API, served from the management port at ``/console/``,
and the flow diagrams they draw (:mod:`interlace.diagrams`).

Every page calls the management API's own routes in-process with the session's token
(:class:`~interlace.management.app.ManagementApi`), so what a user sees and may do is what the API
grants their role. :func:`mount_console` is the management server extension that serves it.
"""

from interlace.console.app import CONSOLE_PATH, create_console_app, mount_console

__all__ = ["CONSOLE_PATH", "create_console_app", "mount_console"]
