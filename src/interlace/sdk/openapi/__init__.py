"""OpenAPI descriptions as data, and calling the operations they describe.

:func:`read_openapi` reads an OpenAPI 3.0 / 3.1 or Swagger 2.0 description (a file or URL, JSON or YAML)
into an :class:`ApiDescription`; :class:`ApiClient` sends an operation's request with a connection's
credentials. The ``openapi`` connector and the packages ``interlace connector from-openapi`` generates
are both built on these two.
"""

from interlace.sdk.openapi.model import (
    ApiBody,
    ApiDescription,
    ApiOperation,
    ApiParameter,
    Note,
    SecurityScheme,
)
from interlace.sdk.openapi.reader import read_document, read_openapi

__all__ = [
    "ApiBody",
    "ApiDescription",
    "ApiOperation",
    "ApiParameter",
    "Note",
    "SecurityScheme",
    "read_document",
    "read_openapi",
]
