"""Alert e-mails through Amazon SES (the template grants ses:SendEmail for the sender)."""

from __future__ import annotations

from typing import Any

from .errors import storage_errors


class SesMailer:
    def __init__(self, client: Any, sender: str) -> None:
        self._client = client  # a boto3 "sesv2" client
        self._sender = sender

    def send(self, to: str, subject: str, body: str) -> None:
        with storage_errors("SES", "SendEmail"):
            self._client.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [to]},
                Content={
                    "Simple": {
                        "Subject": {"Data": subject, "Charset": "UTF-8"},
                        "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
                    }
                },
            )
