"""``python -m interlace.samples.mailbox [--host H] [--port P] [--smtp-port S] ...``: run until stopped."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from interlace.samples.mailbox.server import DEFAULT_ADDRESS, start_dev_mailbox
from interlace.samples.mailbox.tokens import DEFAULT_CLIENT_ID, DEFAULT_REFRESH_TOKEN


async def _serve(args: argparse.Namespace) -> None:
    async with await start_dev_mailbox(
        args.host,
        args.port,
        smtp_port=None if args.no_smtp else args.smtp_port,
        address=args.address,
        token_lifetime=args.token_lifetime,
        rotate_refresh_tokens=args.rotate_refresh_tokens,
        store=args.store,
    ) as mailbox:
        print(f"development mailbox for {mailbox.address}", flush=True)
        print(f"  web page and JSON API  {mailbox.url}/", flush=True)
        print(f"  Gmail API              {mailbox.url}/gmail/v1", flush=True)
        print(f"  OAuth2 token endpoint  {mailbox.token_url}", flush=True)
        print(f"  OAuth2 consent page    {mailbox.authorization_url}", flush=True)
        if mailbox.smtp_port is not None:
            print(f"  SMTP                   {mailbox.host}:{mailbox.smtp_port}", flush=True)
        print(f"  client id {DEFAULT_CLIENT_ID}, refresh token {DEFAULT_REFRESH_TOKEN}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m interlace.samples.mailbox",
        description="The local development mailbox: SMTP, Gmail API and OAuth2 token endpoint on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=9025, help="HTTP port: Gmail API, tokens, web (default 9025)"
    )
    parser.add_argument("--smtp-port", type=int, default=2525, help="SMTP port (default 2525)")
    parser.add_argument("--no-smtp", action="store_true", help="do not listen for SMTP")
    parser.add_argument(
        "--address", default=DEFAULT_ADDRESS, help=f"the account's address (default {DEFAULT_ADDRESS})"
    )
    parser.add_argument("--token-lifetime", type=int, default=3600, help="access token lifetime in seconds")
    parser.add_argument(
        "--rotate-refresh-tokens", action="store_true", help="answer a new refresh token per refresh"
    )
    parser.add_argument("--store", default=None, help="also append every message to this JSON-lines file")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
