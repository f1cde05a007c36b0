"""Token buckets, failed-login limits and the account services that use them (on fakes)."""

from __future__ import annotations

import pytest

from expense_tracker.adapters.memory import MemoryIdentity
from expense_tracker.domain.errors import Invalid, RateLimited, Unauthorized
from expense_tracker.services import accounts
from expense_tracker.services.ratelimit import (
    FailureLimiter,
    GrowingDelays,
    LoginLimits,
    SignupLimits,
    TokenBuckets,
)

PASSWORD = "correct horse battery staple"


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


# Token buckets


def test_a_full_bucket_allows_a_burst_then_refuses(time: FakeTime) -> None:
    buckets = TokenBuckets(rate=100, burst=200, monotonic=time)
    for _ in range(200):
        buckets.take("ada")
    with pytest.raises(RateLimited) as caught:
        buckets.take("ada")
    assert caught.value.retry_after == 1


def test_a_bucket_refills_at_its_rate(time: FakeTime) -> None:
    buckets = TokenBuckets(rate=2, burst=2, monotonic=time)
    buckets.take("ada")
    buckets.take("ada")
    time.now += 0.5  # one token back
    buckets.take("ada")
    with pytest.raises(RateLimited):
        buckets.take("ada")


def test_retry_after_counts_the_seconds_until_a_token_is_back(time: FakeTime) -> None:
    buckets = TokenBuckets(rate=0.1, burst=1, monotonic=time)
    buckets.take("ada")
    with pytest.raises(RateLimited) as caught:
        buckets.take("ada")
    assert caught.value.retry_after == 10


def test_each_key_has_its_own_bucket(time: FakeTime) -> None:
    buckets = TokenBuckets(rate=1, burst=1, monotonic=time)
    buckets.take("ada")
    buckets.take("bob")
    with pytest.raises(RateLimited):
        buckets.take("ada")


# Failure limiter


def limiter(time: FakeTime, email: int = 3, client: int = 5) -> FailureLimiter:
    return FailureLimiter({"email": email, "client": client}, window_seconds=300, monotonic=time)


def test_failures_up_to_the_allowance_are_tolerated(time: FakeTime) -> None:
    limits = limiter(time)
    for _ in range(2):
        limits.record_failure(email="ada")
    limits.check(email="ada")
    limits.record_failure(email="ada")
    with pytest.raises(RateLimited) as caught:
        limits.check(email="ada")
    assert caught.value.retry_after == 300


def test_the_limit_lifts_when_the_oldest_failure_ages_out(time: FakeTime) -> None:
    limits = limiter(time)
    limits.record_failure(email="ada")
    time.now += 100
    limits.record_failure(email="ada")
    limits.record_failure(email="ada")
    with pytest.raises(RateLimited) as caught:
        limits.check(email="ada")
    assert caught.value.retry_after == 200
    time.now += 200
    limits.check(email="ada")


def test_each_kind_has_its_own_allowance(time: FakeTime) -> None:
    limits = limiter(time, email=3, client=5)
    for n in range(4):
        limits.record_failure(email=f"user{n}", client="10.0.0.1")
    limits.check(client="10.0.0.1")
    limits.record_failure(email="user9", client="10.0.0.1")
    with pytest.raises(RateLimited):
        limits.check(email="someone-new", client="10.0.0.1")
    limits.check(email="someone-new", client="10.0.0.2")


def test_reset_forgets_only_the_named_key(time: FakeTime) -> None:
    limits = limiter(time, email=1, client=1)
    limits.record_failure(email="ada", client="10.0.0.1")
    limits.reset(email="ada")
    limits.check(email="ada")
    with pytest.raises(RateLimited):
        limits.check(client="10.0.0.1")


# Account services


@pytest.fixture
def identity() -> MemoryIdentity:
    fake = MemoryIdentity()
    fake.signup("ada@example.com", PASSWORD)
    return fake


def login_limits(time: FakeTime, email: int = 3, client: int = 5, pair: int = 100) -> LoginLimits:
    return LoginLimits(
        GrowingDelays(pair, longest=300, monotonic=time), limiter(time, email, client)
    )


def log_in(
    identity: MemoryIdentity,
    limits: LoginLimits,
    email: str,
    password: str,
    client: str = "10.0.0.1",
) -> None:
    accounts.login(identity=identity, limits=limits, email=email, password=password, client=client)


def test_login_normalises_the_email(identity: MemoryIdentity, time: FakeTime) -> None:
    log_in(identity, login_limits(time), " ADA@example.com", PASSWORD)


def test_wrong_passwords_lock_the_email_then_even_the_right_one_waits(
    identity: MemoryIdentity, time: FakeTime
) -> None:
    limits = login_limits(time, email=3)
    for _ in range(3):
        with pytest.raises(Unauthorized):
            log_in(identity, limits, "ada@example.com", "wrong-wrong")
    with pytest.raises(RateLimited):
        log_in(identity, limits, "Ada@Example.com", PASSWORD)
    time.now += 301
    log_in(identity, limits, "ada@example.com", PASSWORD)


def test_a_success_clears_the_emails_failures_but_not_the_clients(
    identity: MemoryIdentity, time: FakeTime
) -> None:
    limits = login_limits(time, email=3, client=4)
    for _ in range(2):
        with pytest.raises(Unauthorized):
            log_in(identity, limits, "ada@example.com", "wrong-wrong")
    log_in(identity, limits, "ada@example.com", PASSWORD)
    for _ in range(2):
        with pytest.raises(Unauthorized):
            log_in(identity, limits, "ada@example.com", "wrong-wrong")
    with pytest.raises(RateLimited):
        log_in(identity, limits, "ada@example.com", PASSWORD)  # the client used its 4


def test_unknown_emails_count_against_the_client(identity: MemoryIdentity, time: FakeTime) -> None:
    limits = login_limits(time, email=3, client=2)
    for n in range(2):
        with pytest.raises(Unauthorized):
            log_in(identity, limits, f"nobody{n}@example.com", PASSWORD)
    with pytest.raises(RateLimited):
        log_in(identity, limits, "ada@example.com", PASSWORD)


def test_signup_service_normalises_and_applies_the_policy(identity: MemoryIdentity) -> None:
    result = accounts.signup(identity=identity, email=" Bob@Example.com ", password=PASSWORD)
    assert result.email == "bob@example.com"
    with pytest.raises(Invalid) as caught:
        accounts.signup(identity=identity, email="bob", password="password")
    assert {e.field for e in caught.value.errors} == {"email", "password"}


def test_failures_from_one_address_do_not_lock_the_owner_out_from_another(
    identity: MemoryIdentity, time: FakeTime
) -> None:
    limits = login_limits(time, email=100, client=500, pair=5)
    for _ in range(5):
        with pytest.raises(Unauthorized):
            log_in(identity, limits, "ada@example.com", "wrong-wrong", client="6.6.6.6")
    with pytest.raises(RateLimited):
        log_in(identity, limits, "ada@example.com", PASSWORD, client="6.6.6.6")
    log_in(identity, limits, "ada@example.com", PASSWORD, client="10.0.0.1")


def test_each_failure_past_the_free_ones_doubles_the_wait(time: FakeTime) -> None:
    delays = GrowingDelays(free=2, longest=300, monotonic=time)
    waits = []
    for _ in range(6):
        delays.record_failure("k")
        waits.append(delays.wait("k"))
    assert waits == [0, 1, 2, 4, 8, 16]
    time.now += 16
    assert delays.wait("k") == 0


def test_the_wait_never_passes_the_longest(time: FakeTime) -> None:
    delays = GrowingDelays(free=1, longest=60, monotonic=time)
    for _ in range(20):
        delays.record_failure("k")
    assert delays.wait("k") == 60


def test_many_addresses_still_meet_the_brake_on_one_email(
    identity: MemoryIdentity, time: FakeTime
) -> None:
    limits = login_limits(time, email=10, client=500, pair=5)
    for n in range(10):
        with pytest.raises(Unauthorized):
            log_in(identity, limits, "ada@example.com", "wrong-wrong", client=f"10.0.1.{n}")
    with pytest.raises(RateLimited):
        log_in(identity, limits, "ada@example.com", PASSWORD, client="10.0.2.1")


def test_signups_are_limited_per_client_then_overall(time: FakeTime) -> None:
    limits = SignupLimits(
        TokenBuckets(rate=0.001, burst=2, monotonic=time),
        TokenBuckets(rate=0.001, burst=3, monotonic=time),
    )
    limits.take("a")
    limits.take("a")
    with pytest.raises(RateLimited):
        limits.take("a")
    limits.take("b")  # another address has its own allowance ...
    with pytest.raises(RateLimited):
        limits.take("c")  # ... until the server's is spent
