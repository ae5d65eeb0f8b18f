"""The web app's mail thread: with SMTP configured and SURVEY_MAIL_SEND_INTERVAL > 0, one sending
pass (survey.services.mail.sender) every so many seconds. A failing pass is logged and the
thread goes on; the outbox keeps every message until it is sent or has failed for good."""

from __future__ import annotations

import logging
import threading

from sqlalchemy.engine import Engine

from survey.config import Settings
from survey.services.mail.sender import parse_smtp_url, send_with_settings

log = logging.getLogger("survey.mail")


class MailThread:
    def __init__(self, settings: Settings, engine: Engine):
        self.settings, self.engine = settings, engine
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="survey-mail", daemon=True)

    @classmethod
    def start_for(cls, settings: Settings, engine: Engine) -> MailThread | None:
        """Start sending when SMTP is configured and the interval is not 0; else None."""
        if not settings.smtp_url.strip() or settings.mail_send_interval <= 0:
            return None
        parse_smtp_url(settings.smtp_url)  # a broken URL stops start-up with its reason
        mail = cls(settings, engine)
        mail.thread.start()
        return mail

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                result = send_with_settings(self.engine, self.settings)
                if result.tried:
                    log.info("mail pass: %s sent, %s to retry, %s failed", result.sent,
                             result.retrying, result.failed)  # fmt: skip
            except Exception:  # noqa: BLE001 - the thread must outlive a bad pass
                log.exception("mail pass failed")
            self.stopping.wait(self.settings.mail_send_interval)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=self.settings.smtp_timeout + 5)
