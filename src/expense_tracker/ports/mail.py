"""The mail port: alert e-mails (SMTP locally, Amazon SES on AWS). Off unless configured."""

from __future__ import annotations

from typing import Protocol


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text message; raises StorageError when the server refuses it."""
        ...
