"""``survey send-mail``: deliver the outbox over SMTP (README "E-mail, invitations and password
reset"). Loaded only when run (survey.cli's LazyGroup)."""

from __future__ import annotations

import sys

import click


@click.command("send-mail")
@click.option("--once", is_flag=True, help="One pass over the due messages, then exit.")
@click.option(
    "--interval",
    type=click.IntRange(1, 3600),
    default=None,
    help="Seconds between passes (default SURVEY_MAIL_SEND_INTERVAL, or 60 when that is 0).",
)
def send_mail(once: bool, interval: int | None) -> None:
    """Send the queued mail over SMTP (SURVEY_SMTP_URL): one pass with --once, else a pass
    every interval until stopped. Each message is reported as it is sent or refused."""
    import time

    from survey.config import get_settings
    from survey.db import get_engine
    from survey.models import OutboxMessage
    from survey.services.mail.outbox import recipient_shown
    from survey.services.mail.sender import SmtpUrlError, parse_smtp_url, send_with_settings

    settings = get_settings()
    if not settings.smtp_url.strip():
        click.echo("error: SURVEY_SMTP_URL is not set: mail stays in the outbox", err=True)
        sys.exit(1)
    try:
        parse_smtp_url(settings.smtp_url)
    except SmtpUrlError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    wait = interval or settings.mail_send_interval or 60

    def progress(message: OutboxMessage, error: str | None) -> None:
        # A teacher's link (an ephemeral kind): neither the address nor the reason is shown.
        to = recipient_shown(message) or "(hidden)"
        if error is None:
            click.echo(f"sent #{message.id} to {to}: {message.subject}")
        else:
            state = "failed" if message.status == "failed" else "will retry"
            reason = error if recipient_shown(message) else "(hidden)"
            click.echo(f"not sent #{message.id} to {to} ({state}): {reason}")

    while True:
        result = send_with_settings(get_engine(), settings, progress=progress)
        click.echo(
            f"{result.sent} sent, {result.retrying} to retry, {result.failed} failed", err=True
        )
        if once:
            return
        time.sleep(wait)
