"""Inbound HTTP transport: the server application, routing by context path and URI template, codecs."""
