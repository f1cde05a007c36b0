"""A small API client for tests: users that sign up and sign in, with authed httpx clients."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

PASSWORD = "correct horse battery staple"
_counter = itertools.count()


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{os.getpid()}-{next(_counter)}@example.com"


@dataclass
class User:
    email: str
    password: str
    user_id: str
    access_token: str
    refresh_token: str
    client: httpx.Client

    def add(self, **fields: Any) -> dict[str, Any]:
        body = {"amount": "12.50", "currency": "EUR", "category": "Food", **fields}
        response = self.client.post("/api/expenses", json=body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result


@dataclass
class Api:
    """Where the app is, and how to reach it (a real socket, or a Lambda event transport)."""

    base_url: str
    make_client: Callable[..., httpx.Client]
    backend: str = "local"
    extras: dict[str, Any] = field(default_factory=dict)

    def client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.make_client(headers=headers, **kwargs)

    def sign_up(self, email: str | None = None, password: str = PASSWORD) -> dict[str, Any]:
        with self.client() as anon:
            response = anon.post("/api/auth/signup", json={"email": email, "password": password})
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def log_in(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        with self.client() as anon:
            response = anon.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def new_user(self, prefix: str = "user") -> User:
        email = unique_email(prefix)
        signed_up = self.sign_up(email)
        if signed_up["confirmation_required"]:
            self.extras["confirm"](email)
        tokens = self.log_in(email)
        return User(
            email=email,
            password=PASSWORD,
            user_id=signed_up["user_id"],
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
            client=self.client(tokens["access_token"]),
        )


def socket_api(base_url: str) -> Api:
    def make_client(**kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=base_url, timeout=30, **kwargs)

    return Api(base_url=base_url, make_client=make_client)
