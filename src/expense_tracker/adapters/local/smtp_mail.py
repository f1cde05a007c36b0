"""Alert e-mails over SMTP (EXPENSE_TRACKER_SMTP_*), for the local server."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from ...config import Settings
from ...domain.errors import StorageError

TIMEOUT_SECONDS = 10


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self._host = settings.smtp_host
        self._port = settings.smtp_port
        self._username = settings.smtp_username
        self._password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        self._starttls = settings.smtp_starttls
        self._sender = settings.smtp_sender or f"expense-tracker@{self._host}"

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        try:
            with smtplib.SMTP(self._host, self._port, timeout=TIMEOUT_SECONDS) as smtp:
                if self._starttls:
                    smtp.starttls()
                if self._username:
                    smtp.login(self._username, self._password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise StorageError("the mail server did not take the message") from exc


def smtp_mailer(settings: Settings) -> SmtpMailer | None:
    """None (no e-mails) unless a host is configured."""
    return SmtpMailer(settings) if settings.smtp_host else None
