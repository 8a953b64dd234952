"""Connection definitions: a named, reusable configuration of a connector (connections/*.yaml).

```yaml
connection: patientMail
connector: gmail
client-id: "${configs.gmailClientId}"
client-secret: "${secret.GMAIL_CLIENT_SECRET}"
refresh-token: "${secret.GMAIL_REFRESH_TOKEN}"
```

Besides ``connection``, ``connector`` and ``description``, the keys are the connector's own settings;
the compiler checks them against the connector's settings class, at their lines.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field

from interlace.model.base import Definition

__all__ = ["ConnectionDefinition"]


class ConnectionDefinition(Definition):
    """A named connection; its extra keys are the connector's settings."""

    model_config = ConfigDict(extra="allow")

    connection: Annotated[str, Field(min_length=1)]
    """The connection's name, as operations refer to it."""
    connector: Annotated[str, Field(min_length=1)]
    """The connector it configures (``interlace connector list`` shows the installed ones)."""
    description: str = ""

    @property
    def settings(self) -> dict[str, Any]:
        """The connector's settings as written (YAML keys, values possibly with ``${...}``)."""
        return dict(self.model_extra or {})
