"""AWS SDK failures as the domain's StorageError, naming the service, the operation and the
error code only: never the SDK's message, which can carry request details."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

from ...domain.errors import StorageError


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


@contextmanager
def storage_errors(service: str, operation: str) -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        raise StorageError(f"{service} {operation} failed ({error_code(exc)})") from exc
    except BotoCoreError as exc:
        raise StorageError(f"{service} {operation} failed ({type(exc).__name__})") from exc
