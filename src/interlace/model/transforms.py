"""Definitions of the built-in mediators that shape answers: faults and XSLT transforms.

The reference page lists them with the other mediators (see :mod:`interlace.model.mediators`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from interlace.model.base import Definition

__all__ = ["FaultDefinition", "XsltDefinition"]


class FaultDefinition(Definition):
    """Replace the payload with a fault and set the message's status; a ``respond`` then answers it.

    ```yaml
    - fault: {reason: "No doctor ${vars.doctor}", code: Client, status: 400}   # a SOAP 1.1 fault
    - fault: {format: json, code: NO_DOCTOR, reason: "No doctor ${vars.doctor}", status: 404}
    - respond
    ```

    - `soap11` builds `soapenv:Envelope/Body/Fault` with `faultcode` (`soapenv:CODE`), `faultstring`,
      `faultactor` (the role) and `detail`, as `text/xml`.
    - `soap12` builds `Fault/Code/Value`, `Reason/Text`, `Node`, `Role` and `Detail`, as
      `application/soap+xml`; the SOAP 1.1 codes `Server` and `Client` become `Receiver` and `Sender`.
    - `json` builds Interlace's error body, `{"error": {"code", "message", "correlationId", "details"}}`,
      from the code, the reason and the detail."""

    format: Literal["soap11", "soap12", "json"] = "soap11"
    """The kind of fault: a SOAP 1.1 or SOAP 1.2 envelope, or the JSON error body."""
    code: Annotated[str, Field(min_length=1)] = "Server"
    """The fault code: for SOAP `Server`, `Client`, `MustUnderstand`, `VersionMismatch` (SOAP 1.2 also
    `Receiver`, `Sender`, `DataEncodingUnknown`); for JSON any code."""
    reason: str
    """What went wrong: a template."""
    detail: str | None = None
    """More about it: a template."""
    node: str | None = None
    """The node where the fault happened (SOAP 1.2 only): a template."""
    role: str | None = None
    """The role of that node (SOAP 1.1 `faultactor`): a template."""
    status: Annotated[int, Field(ge=100, le=599)] = 500
    """The HTTP status the answer gets."""

    @model_validator(mode="after")
    def _soap_code(self) -> FaultDefinition:
        codes = {
            "soap11": ("Server", "Client", "MustUnderstand", "VersionMismatch"),
            "soap12": (
                "Server",
                "Client",
                "Receiver",
                "Sender",
                "MustUnderstand",
                "VersionMismatch",
                "DataEncodingUnknown",
            ),
        }.get(self.format)
        if codes is not None and self.code not in codes:
            raise ValueError(f"a {self.format} fault code is one of {', '.join(codes)} (got {self.code!r})")
        if self.node is not None and self.format != "soap12":
            raise ValueError("node is a SOAP 1.2 fault's only")
        return self


class XsltDefinition(Definition):
    """Transform the XML payload with an XSLT 1.0 stylesheet from a project file.

    ```yaml
    - xslt: {stylesheet: stylesheets/order.xsl, parameters: {currency: "${vars.currency}"}}
    ```

    - The stylesheet is compiled when the project loads; a malformed one is a load-time error.
    - It may not read files or the network: `document()`, `xsl:include` and `xsl:import` are refused.
    - A result with a root element is an XML payload, a text result (`xsl:output method="text"`) a text
      payload. A payload that is not XML fails the flow with `PAYLOAD_ERROR` (400)."""

    stylesheet: Annotated[str, Field(min_length=1)]
    """The stylesheet file, relative to the project folder."""
    parameters: dict[str, str] = Field(default_factory=dict)
    """Values of the stylesheet's `xsl:param`s: templates, passed as strings."""
    content_type: str | None = None
    """The result's content type (default `application/xml`, or `text/plain` for a text result)."""
