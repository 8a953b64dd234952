"""Security schemes of Swagger 2.0 (``securityDefinitions``) and OpenAPI 3 (``components.securitySchemes``)
as :class:`~interlace.sdk.openapi.model.SecurityScheme`; a scheme no connection can use is a note."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from interlace.sdk.openapi.model import Note, SecurityScheme

__all__ = ["read_schemes"]

_SWAGGER_FLOWS = {"application": "clientCredentials", "accessCode": "authorizationCode"}
_GRANTS = {"clientCredentials": "client_credentials", "authorizationCode": "authorization_code"}


def read_schemes(
    definitions: Mapping[str, Any], deref: Any, swagger: bool
) -> tuple[dict[str, SecurityScheme], list[Note]]:
    """The usable schemes by name, and notes for those left out."""
    schemes: dict[str, SecurityScheme] = {}
    notes: list[Note] = []
    for name, raw in definitions.items():
        node = deref(raw)
        if not isinstance(node, Mapping):
            continue
        scheme, reason = _scheme(str(name), node, swagger)
        if scheme is not None:
            schemes[str(name)] = scheme
        if reason:
            notes.append(
                Note(f"security scheme {name}", "skipped" if scheme is None else "approximated", reason)
            )
    return schemes, notes


def _scheme(name: str, node: Mapping[str, Any], swagger: bool) -> tuple[SecurityScheme | None, str]:
    kind = node.get("type")
    description = str(node.get("description") or "")
    if kind == "apiKey":
        location = node.get("in")
        if location not in ("header", "query", "cookie"):
            return None, f"an API key in {location!r} cannot be sent"
        return SecurityScheme(name, "api-key", description, str(node.get("name") or ""), location), ""
    if kind == "basic" or (kind == "http" and str(node.get("scheme", "")).lower() == "basic"):
        return SecurityScheme(name, "basic", description), ""
    if kind == "http" and str(node.get("scheme", "")).lower() == "bearer":
        return SecurityScheme(name, "bearer", description), ""
    if kind == "http":
        return (
            None,
            f"the HTTP authentication scheme {node.get('scheme')!r} is not supported (basic, bearer are)",
        )
    if kind == "oauth2":
        return _oauth2(name, node, description, swagger)
    return None, f"the scheme type {kind!r} is not supported (apiKey, http basic/bearer and oauth2 are)"


def _oauth2(
    name: str, node: Mapping[str, Any], description: str, swagger: bool
) -> tuple[SecurityScheme | None, str]:
    if swagger:
        flow = _SWAGGER_FLOWS.get(str(node.get("flow")))
        flows = {flow: node} if flow else {}
        others = [] if flow else [str(node.get("flow"))]
    else:
        raw = node.get("flows") or {}
        flows = {key: value for key, value in raw.items() if key in _GRANTS}
        others = [key for key in raw if key not in _GRANTS]
    if not flows:
        return None, f"only the {', '.join(others) or 'no'} OAuth2 flow(s), which a server cannot use"
    token_url = next((str(f.get("tokenUrl")) for f in flows.values() if f.get("tokenUrl")), "")
    code = flows.get("authorizationCode") or {}
    scopes: dict[str, None] = {}
    for settings in flows.values():
        scopes.update(dict.fromkeys(str(scope) for scope in settings.get("scopes") or {}))
    scheme = SecurityScheme(
        name,
        "oauth2",
        description,
        token_url=token_url,
        authorization_url=str(code.get("authorizationUrl") or ""),
        grants=tuple(_GRANTS[key] for key in flows),
        scopes=tuple(scopes),
    )
    reason = f"the OAuth2 flow(s) {', '.join(others)} are not used (a server cannot)" if others else ""
    return scheme, reason
