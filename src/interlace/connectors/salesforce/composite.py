"""``composite``: up to 25 REST requests in one call, later ones referring to earlier results."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from interlace.connectors.salesforce.connection import SalesforceConnection
from interlace.message import JsonValue
from interlace.sdk import InvalidInput, Param, has_dot_segment

__all__ = ["Subrequest", "composite"]


class Subrequest(BaseModel):
    """One request of a composite call."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["GET", "POST", "PATCH", "PUT", "DELETE"]
    url: str = Field(min_length=1)
    reference_id: str = Field(alias="referenceId", pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    body: dict[str, Any] | None = None


_REQUESTS = Param(
    "The requests, in order: `{method, url, referenceId, body}`; `url` is below"
    " `/services/data/vXX.0/` (`sobjects/Account`) or whole; `@{referenceId.id}` uses an earlier result.",
    example=[
        {"method": "POST", "url": "sobjects/Account", "referenceId": "acct", "body": {"Name": "Grand Oak"}},
        {"method": "POST", "url": "sobjects/Contact", "referenceId": "doc",
         "body": {"LastName": "Ann", "AccountId": "@{acct.id}"}},
    ],
)  # fmt: skip


async def composite(
    conn: SalesforceConnection,
    requests: Annotated[list[Subrequest], _REQUESTS, Field(min_length=1, max_length=25)],
    allOrNone: Annotated[bool, Param("Roll every request back when one fails.")] = False,
) -> dict[str, Any]:
    """Run up to 25 requests in one call (the composite resource); each answer is in the result, in
    order, failures included (with `allOrNone`, a failure rolls back the others).

    Returns:
        `{compositeResponse: [{referenceId, httpStatusCode, httpHeaders, body}]}`.
    """
    batch: list[JsonValue] = []
    for request in requests:
        url = request.url
        if not url.startswith("/services/"):
            url = f"{conn.data_path}/{url.lstrip('/')}"
        if has_dot_segment(url):
            raise InvalidInput(
                f"salesforce.composite: the url of {request.reference_id} must not walk the path ({url!r})"
            )
        batch.append(request.model_dump(by_alias=True, exclude_none=True) | {"url": url})
    body: dict[str, JsonValue] = {"allOrNone": allOrNone, "compositeRequest": batch}
    answer = await conn.call("composite", "POST", "/composite", body=body)
    return answer if isinstance(answer, dict) else {"compositeResponse": []}
