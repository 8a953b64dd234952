"""One aiobotocore client for an AWS connection, and the sorting of AWS errors into the SDK's."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from aiobotocore.config import AioConfig  # type: ignore[import-untyped]
from aiobotocore.session import get_session  # type: ignore[import-untyped]
from botocore import exceptions as boto_errors  # type: ignore[import-untyped]

from interlace.connectors.aws.config import AwsConfig
from interlace.sdk import ConnectorError, FatalError, InvalidInput, RetryableError, Secret

__all__ = ["AWS_ERRORS", "AwsClient", "aws_failure"]

AWS_ERRORS = (boto_errors.BotoCoreError, boto_errors.ClientError, OSError, TimeoutError)
"""What a client raises when the service, the network or the credentials fail (not a bug of ours)."""

_FATAL_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "InvalidAccessKeyId",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "ExpiredToken",
    "MissingAuthenticationToken",
    "InvalidSecurity",
    "KMS.AccessDeniedException",
    "KmsAccessDenied",
}
_TRANSIENT_CODES = {
    "Throttling",
    "ThrottlingException",
    "RequestThrottled",
    "SlowDown",
    "ServiceUnavailable",
    "InternalError",
    "InternalFailure",
    "RequestTimeout",
    "KmsThrottled",
    "OverLimit",
}


class AwsClient:
    """Opens and closes one client of ``service`` for a connection's settings; aiobotocore's clients
    are safe to share between concurrent operations."""

    __slots__ = ("_client", "_stack")

    def __init__(self) -> None:
        self._client: Any = None
        self._stack: contextlib.AsyncExitStack | None = None

    @property
    def opened(self) -> Any:
        """The client (aiobotocore's, untyped), or None when not open."""
        return self._client

    async def open(self, service: str, config: AwsConfig, **settings: Any) -> None:
        """Create the client; ``settings`` go to aiobotocore's ``AioConfig`` (timeouts are the
        connection's unless given). Raises what the client raises (see :data:`AWS_ERRORS`)."""
        options: dict[str, Any] = {
            "connect_timeout": config.timeout,
            "read_timeout": config.timeout,
            "retries": {"mode": "standard"},
            **settings,
        }
        stack = contextlib.AsyncExitStack()
        try:
            self._client = await stack.enter_async_context(
                get_session().create_client(
                    service,
                    region_name=config.region,
                    endpoint_url=config.endpoint_url,
                    aws_access_key_id=_reveal(config.access_key_id),
                    aws_secret_access_key=_reveal(config.secret_access_key),
                    aws_session_token=_reveal(config.session_token),
                    config=AioConfig(**options),
                )
            )
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack

    async def aclose(self) -> None:
        stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            with contextlib.suppress(Exception):  # closing must not raise; the sockets go anyway
                await stack.aclose()


def aws_failure(
    exc: BaseException, doing: str, service: str, missing: Mapping[str, str] | None = None
) -> ConnectorError:
    """The SDK error for a failure of ``service`` while ``doing`` something: refused or missing
    credentials are fatal, and so are the codes of ``missing`` (a code and what is missing: the queue,
    the bucket); throttling, a server error or a lost connection transient; a refused parameter the
    input's fault."""
    if isinstance(exc, boto_errors.NoCredentialsError | boto_errors.PartialCredentialsError):
        return FatalError(f"{doing}: no complete AWS credentials ({exc})")
    if isinstance(exc, boto_errors.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        detail = f"{code}: {error.get('Message', '')}".rstrip(": ")
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if code in _FATAL_CODES or status in (401, 403):
            return FatalError(f"{doing}: {service} refused the credentials or the access ({detail})")
        if missing and code in missing:
            return FatalError(f"{doing}: the {missing[code]} does not exist ({detail})")
        if code in _TRANSIENT_CODES or status >= 500 or status == 429:
            return RetryableError(f"{doing}: {detail}")
        return InvalidInput(f"{doing}: {service} refused the request ({detail})")
    return RetryableError(f"{doing}: {exc or type(exc).__name__}")


def _reveal(secret: Secret | None) -> str | None:
    return None if secret is None else secret.reveal()
