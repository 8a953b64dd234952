"""The ``openapi`` connector: the operations of any OpenAPI description, typed and checked at load time."""

from interlace.connectors.openapi.config import OpenApiConfig
from interlace.connectors.openapi.connection import OpenApiConnection
from interlace.connectors.openapi.connector import connector

__all__ = ["OpenApiConfig", "OpenApiConnection", "connector"]
