"""In-memory profiles and identity provider: the fakes unit tests sign up and sign in with."""

from __future__ import annotations

import secrets
import threading
from dataclasses import replace

from ..domain.errors import BadRequest, Conflict, Unauthorized
from ..domain.profile import Profile, ProfileChanges
from ..ports import Principal, SignupResult, TokenPair


class MemoryProfiles:
    def __init__(self, default: str = "USD") -> None:
        self._default = default
        self._profiles: dict[str, Profile] = {}
        self._lock = threading.Lock()

    def default_currency(self, user_id: str) -> str:
        return self.profile(user_id).default_currency

    def set_default_currency(self, user_id: str, currency: str) -> None:
        self.update_profile(user_id, ProfileChanges(default_currency=currency))

    def profile(self, user_id: str) -> Profile:
        return self._profiles.get(user_id, Profile(self._default))

    def update_profile(self, user_id: str, changes: ProfileChanges) -> Profile:
        given = {k: v for k, v in vars(changes).items() if v is not None}
        with self._lock:
            self._profiles[user_id] = replace(self.profile(user_id), **given)
            return self._profiles[user_id]

    def forget(self, user_id: str) -> None:
        self._profiles.pop(user_id, None)


class MemoryIdentity:
    """A fake identity provider: opaque random tokens, no crypto. For unit tests only."""

    def __init__(self) -> None:
        self._passwords: dict[str, tuple[str, str]] = {}  # email -> (user_id, password)
        self._access: dict[str, Principal] = {}
        self._refresh: dict[str, Principal] = {}

    def signup(self, email: str, password: str) -> SignupResult:
        if email in self._passwords:
            raise Conflict("An account with this e-mail already exists")
        user_id = secrets.token_hex(8)
        self._passwords[email] = (user_id, password)
        return SignupResult(user_id, email, confirmation_required=False)

    def confirm(self, email: str, code: str) -> None:
        raise BadRequest("No confirmation is needed")

    def login(self, email: str, password: str) -> TokenPair:
        user_id, expected = self._passwords.get(email, ("", None))
        if expected is None or expected != password:
            raise Unauthorized("Wrong e-mail or password")
        return self._issue(Principal(user_id, email))

    def _issue(self, principal: Principal) -> TokenPair:
        access, refresh = secrets.token_urlsafe(), secrets.token_urlsafe()
        self._access[access] = principal
        self._refresh[refresh] = principal
        return TokenPair(access, refresh, 900)

    def refresh(self, refresh_token: str) -> TokenPair:
        principal = self._refresh.pop(refresh_token, None)
        if principal is None:
            raise Unauthorized("The refresh token is not valid")
        return self._issue(principal)

    def logout(self, refresh_token: str) -> None:
        self._refresh.pop(refresh_token, None)

    def verify(self, access_token: str) -> Principal:
        principal = self._access.get(access_token)
        if principal is None:
            raise Unauthorized("The access token is not valid")
        return principal

    def jwks(self) -> dict[str, object]:
        return {"keys": []}
