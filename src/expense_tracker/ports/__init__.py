"""The small interfaces the services need; adapters implement them. One module per port
family beside this one (jobs); the first ports live here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO, Protocol, runtime_checkable

from ..domain.analytics import DayTotal, Summary
from ..domain.expense import (
    CategoryCount,
    Expense,
    ExpenseFilter,
    ExpensePage,
    Position,
    Receipt,
)
from ..domain.export_rows import ExportFormat, ExportRow, TextBlock
from ..domain.profile import Profile, ProfileChanges
from ..domain.summary_totals import FactorOf, SummaryTotals


@dataclass(frozen=True)
class IdempotencyKey:
    """A client's Idempotency-Key, scoped to its user, with a fingerprint of the request body."""

    key: str
    fingerprint: str


class ExpenseStore(Protocol):
    """Every method is scoped to one user: another user's expense behaves as missing."""

    def add(self, expense: Expense, idempotency: IdempotencyKey | None = None) -> Expense:
        """Insert atomically with the idempotency record. A replay with the same fingerprint
        returns the first expense and adds nothing; another fingerprint raises Invalid."""
        ...

    def add_many(self, expenses: list[Expense]) -> None:
        """Insert all or none."""
        ...

    def get(self, user_id: str, expense_id: str) -> Expense:
        """Raises NotFound."""
        ...

    def list_page(
        self, user_id: str, filters: ExpenseFilter, limit: int, after: Position | None
    ) -> ExpensePage:
        """Newest date first, then id descending; `next` is the last item's position when
        more items follow."""
        ...

    def replace(self, expense: Expense, expected_version: int) -> Expense:
        """Write a changed expense if the stored version is still `expected_version`;
        PreconditionFailed otherwise, NotFound when it is gone."""
        ...

    def delete(self, user_id: str, expense_id: str) -> Expense:
        """Remove and return it; NotFound when missing."""
        ...

    def categories(self, user_id: str) -> list[CategoryCount]: ...

    def summary(self, user_id: str, date_from: date | None, date_to: date | None) -> Summary: ...

    def day_totals(self, user_id: str, filters: ExpenseFilter) -> list[DayTotal]:
        """The matching expenses summed per day, currency and category (any order); O(days in
        range) without a text filter, whatever the number of expenses."""
        ...

    def summary_totals(
        self, user_id: str, filters: ExpenseFilter, factor_of: FactorOf | None
    ) -> SummaryTotals:
        """The matching expenses summed per (day, currency) and per (category, currency), the
        latter also in the home currency: each (day, currency) at `factor_of`'s factor (asked
        once each; None: no conversion). One snapshot; O(days in range) as `day_totals`."""
        ...

    def iterate(self, user_id: str, filters: ExpenseFilter) -> Iterator[Expense]:
        """Every matching expense, newest first, fetched page by page (for export)."""
        ...

    def export_pages(self, user_id: str, filters: ExpenseFilter) -> Iterator[list[ExportRow]]:
        """What `iterate` gives, as export rows in pages of about EXPORT_PAGE (none empty);
        each page its own short read, so the pages may be pulled from different threads."""
        ...

    def export_text(
        self, user_id: str, filters: ExpenseFilter, fmt: ExportFormat
    ) -> Iterator[TextBlock]:
        """The whole CSV or JSON export file of `iterate`'s expenses (export_rows' format, byte
        for byte) in blocks of about a page with their row counts, each its own short read like
        export_pages."""
        ...

    def delete_user(self, user_id: str) -> list[Receipt]:
        """Remove all of a user's data; return the receipts whose files must go too."""
        ...


@dataclass(frozen=True)
class RowPage:
    """A page of the list as flat rows in the API's text (domain/export_rows.py)."""

    items: list[ExportRow]
    next: Position | None


@runtime_checkable
class ListsRows(Protocol):
    """A store that can read a page of the list straight into rows, without an Expense, a
    Decimal and three datetimes per row (the list route's main cost); optional: any store's
    `list_page` gives the same page through `export_row`."""

    def list_rows(
        self, user_id: str, filters: ExpenseFilter, limit: int, after: Position | None
    ) -> RowPage: ...


@runtime_checkable
class AddsAwaiting(Protocol):
    """A store whose add can be awaited on an event loop (no thread blocked on its commit);
    optional: any store's `add` does the same in a worker thread."""

    async def add_async(
        self, expense: Expense, idempotency: IdempotencyKey | None = None
    ) -> Expense: ...


@dataclass(frozen=True)
class UploadTicket:
    url: str
    fields: dict[str, str]
    expires_in: int
    max_bytes: int


@dataclass(frozen=True)
class StoredObject:
    size: int
    head: bytes  # the first bytes, for the magic-number check
    content_type: str | None = None  # as declared at upload (the policy pinned it), if known


class ReceiptStore(Protocol):
    def upload_ticket(self, key: str, content_type: str, max_bytes: int) -> UploadTicket: ...

    def inspect(self, key: str) -> StoredObject | None:
        """Size and first bytes of an uploaded object, or None when nothing is there."""
        ...

    def read(self, key: str) -> bytes: ...

    def open_stream(self, key: str) -> BinaryIO:
        """The object for reading as it arrives (a statement of up to 50 MiB); NotFound."""
        ...

    def write(self, key: str, data: bytes, content_type: str) -> None: ...

    def view_url(self, key: str, content_type: str) -> str: ...

    def delete(self, key: str) -> None: ...

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object whose key starts with `prefix` (the storage quota counts a user's)."""
        ...


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    modified: datetime


@runtime_checkable
class ReceiptInventory(Protocol):
    """What garbage collection needs from a receipt store."""

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]: ...

    def delete(self, key: str) -> None: ...

    def sweep_scratch(self, older_than: datetime) -> int:
        """Remove the store's own leftovers (temporary files...) older than this; a count."""
        ...


@dataclass(frozen=True)
class Principal:
    """The signed-in user, as the verified token says."""

    user_id: str
    email: str


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class SignupResult:
    user_id: str
    email: str
    confirmation_required: bool


@dataclass(frozen=True)
class Account:
    user_id: str
    email: str
    created_at: datetime


class IdentityProvider(Protocol):
    def signup(self, email: str, password: str) -> SignupResult: ...

    def confirm(self, email: str, code: str) -> None: ...

    def login(self, email: str, password: str) -> TokenPair:
        """Unauthorized with one message for unknown e-mail and wrong password."""
        ...

    def refresh(self, refresh_token: str) -> TokenPair: ...

    def logout(self, refresh_token: str) -> None: ...

    def verify(self, access_token: str) -> Principal:
        """Unauthorized for anything but a valid access token of this provider."""
        ...

    def jwks(self) -> dict[str, object]: ...


class AccountSecurity(Protocol):
    """What signed-in users do to their own account (the account page). `access_token` is
    the bearer token of the request, which Cognito's own calls take."""

    def check_password(self, principal: Principal, password: str) -> None:
        """Unauthorized when `password` is not the account's."""
        ...

    def change_password(
        self, principal: Principal, access_token: str, current: str, new: str
    ) -> None:
        """Unauthorized for a wrong current password; then every refresh token of the
        account is revoked (every device signs in again, with the new password)."""
        ...

    def sign_out_everywhere(self, principal: Principal, access_token: str) -> None:
        """Revoke every refresh token of the account."""
        ...

    def delete_self(self, principal: Principal, access_token: str) -> None:
        """Remove the account itself (its data is the services' to remove first)."""
        ...


class AccountAdmin(Protocol):
    """Account administration for the CLI (local identity)."""

    def list_accounts(self) -> list[Account]: ...

    def find_account(self, email: str) -> Account:
        """Raises NotFound."""
        ...

    def delete_account(self, user_id: str) -> None: ...


class Profiles(Protocol):
    """Per-user settings; a user without any gets the configured default currency."""

    def default_currency(self, user_id: str) -> str: ...

    def set_default_currency(self, user_id: str, currency: str) -> None: ...

    def profile(self, user_id: str) -> Profile: ...

    def update_profile(self, user_id: str, changes: ProfileChanges) -> Profile:
        """Change the fields given (atomically) and return the whole profile."""
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware UTC."""
        ...

    def today(self) -> date: ...
