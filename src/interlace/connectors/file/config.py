"""Settings of a ``file`` connection: where the files are (a local folder, an SFTP or an FTP server),
the folder that is its root, and how to log in."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from interlace.sdk import ConnectionConfig, Secret, project_path

__all__ = ["FileConfig"]

_PORTS = {"sftp": 22, "ftp": 21}


class FileConfig(ConnectionConfig):
    """A folder of files: on this machine (`protocol: local`), on an SFTP server (`sftp`) or on an FTP or
    FTPS server (`ftp`). Every path a flow gives is relative to `root` and never leaves it: `..` above
    the root, a NUL or a backslash are refused, and on the local disk so is a symbolic link leading out.

    SFTP logs in with `password` or `private-key` and checks the server's host key against `known-hosts`
    (the user's `~/.ssh/known_hosts` if not given); FTP logs in with `username` and `password`
    (anonymously without them), over TLS with `tls` (FTPS).
    """

    protocol: Literal["local", "sftp", "ftp"] = "local"
    """Where the files are: `local`, `sftp` or `ftp` (FTPS with `tls`)."""

    root: Annotated[str, Field(min_length=1, examples=["/srv/exchange", "inbox"])] = "."
    """The folder every path is relative to: on the local disk (relative to the project's folder), or on
    the server (relative to the login folder unless it starts with `/`)."""

    host: str | None = None
    """The server's host name (sftp, ftp)."""

    port: Annotated[int | None, Field(gt=0, lt=65536)] = None
    """The server's port: 22 for sftp, 21 for ftp, 990 for implicit FTPS if not given."""

    username: str | None = None
    """The user to log in as (sftp, ftp)."""

    password: Secret | None = None
    """The password (sftp, ftp)."""

    private_key: Secret | None = None
    """SFTP: a private key in OpenSSH or PEM format, instead of or besides the password."""

    private_key_passphrase: Secret | None = None
    """SFTP: the passphrase of an encrypted private key."""

    known_hosts: str | None = None
    """SFTP: a known_hosts file holding the server's host key; the user's `~/.ssh/known_hosts` if not
    given."""

    verify_host_key: bool = True
    """SFTP: check the server's host key. `false` accepts any server, for tests only: anyone between
    Interlace and the server could read the files and the password."""

    tls: Literal["off", "explicit", "implicit"] = "off"
    """FTP: FTPS. `explicit` asks the server to switch to TLS before logging in (`AUTH TLS`, the usual
    FTPS on port 21); `implicit` speaks TLS from the first byte (usually port 990). The server's
    certificate is checked against the system's certificate authorities."""

    timeout: Annotated[float, Field(gt=0)] = 30.0
    """Seconds to wait when connecting and for each answer of the server."""

    local_folder: str | None = None
    """The folder of this machine that `fromFile` of `write` and `toFile` of `read` are relative to (relative
    to the project's folder): large files go between it and `root` streamed. Without it those
    parameters are refused."""

    @property
    def server_port(self) -> int:
        """The port to connect to."""
        if self.port:
            return self.port
        return 990 if self.tls == "implicit" else _PORTS.get(self.protocol, 0)

    @field_validator("root")
    @classmethod
    def _local_root_in_project(cls, value: str, info: ValidationInfo) -> str:
        return project_path(value, info.context) if info.data.get("protocol") == "local" else value

    @field_validator("local_folder")
    @classmethod
    def _local_folder_in_project(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else project_path(value, info.context)

    @model_validator(mode="after")
    def _server_settings(self) -> FileConfig:
        if self.protocol == "local":
            given = [
                name
                for name in ("host", "port", "username", "password", "private_key")
                if getattr(self, name)
            ]
            if given:
                raise ValueError(
                    f"a local folder takes no {given[0].replace('_', '-')}: it is for sftp and ftp"
                )
        elif not self.host:
            raise ValueError(f"protocol {self.protocol} needs a host")
        if self.protocol != "sftp" and self.private_key is not None:
            raise ValueError("private-key is for sftp")
        if self.protocol != "ftp" and self.tls != "off":
            raise ValueError("tls is for ftp (sftp is always encrypted)")
        return self
