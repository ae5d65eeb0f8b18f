"""A real SMTP server for tests (aiosmtpd on a free 127.0.0.1 port), plain, with STARTTLS or with
implicit TLS, its certificate from a test CA (trustme) that the sender is told to trust; and
helpers to read what arrived."""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "mailer", "s3cret"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()  # type: ignore[union-attr]

    def link(self, marker: str) -> str:
        """The first link in the text part containing ``marker`` (e.g. "/invite/")."""
        found = re.search(rf"https?://\S*{re.escape(marker)}\S*", self.text)
        assert found, f"no link with {marker} in:\n{self.text}"
        return found.group(0)


@dataclass
class Handler:
    """Collects messages; ``refuse`` (e.g. "550 5.1.1 mailbox unavailable") refuses each one."""

    refuse: str | None = None
    received: list[Received] = field(default_factory=list)
    refused: int = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        if self.refuse:
            self.refused += 1
            return self.refuse
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


@dataclass
class SmtpServer:
    url: str
    handler: Handler
    ca_file: Path | None = None
    logins: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _authenticator(logins: list[str]):  # type: ignore[no-untyped-def]
    def check(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (USER, PASSWORD)
        if ok:
            logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    return check


@contextmanager
def smtp_server(
    tmp_path: Path, *, mode: str = "plain", refuse: str | None = None
) -> Iterator[SmtpServer]:
    """mode: "plain" (no TLS offered), "starttls" (STARTTLS required, then login) or "smtps"
    (TLS from the first byte, then login)."""
    handler = Handler(refuse=refuse)
    port = free_port()
    logins: list[str] = []
    options: dict[str, object] = {}
    ca_file = None
    if mode != "plain":
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(server_context)
        ca_file = tmp_path / "test-ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        options["authenticator"] = _authenticator(logins)
        if mode == "starttls":
            options.update(tls_context=server_context, require_starttls=True)
        else:
            # aiosmtpd counts only STARTTLS as TLS for AUTH; this whole connection is TLS.
            options.update(ssl_context=server_context, auth_require_tls=False)
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        if mode == "plain":
            url = f"smtp://127.0.0.1:{port}"
        elif mode == "starttls":
            url = f"smtp://{USER}:{PASSWORD}@127.0.0.1:{port}?starttls=1"
        else:
            url = f"smtps://{USER}:{PASSWORD}@127.0.0.1:{port}"
        yield SmtpServer(url=url, handler=handler, ca_file=ca_file, logins=logins)
    finally:
        controller.stop()
