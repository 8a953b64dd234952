"""LoginThrottle on its own: per-key counting, doubling locks with a cap, forgetting, and its bound."""

from __future__ import annotations

from interlace.management import LoginThrottle, ThrottlePolicy, default_throttle
from interlace.management.throttle import login_keys
from tests.management.conftest import ManualClock


def test_failures_from_other_addresses_never_lock_a_user_out() -> None:
    clock = ManualClock(0.0)
    throttle = default_throttle(clock)
    for attempt in range(50):
        throttle.begin(login_keys("admin", f"10.0.0.{attempt % 5}"))
    assert throttle.retry_after(login_keys("admin", "10.0.0.1")) > 0  # the guessing addresses wait
    assert throttle.begin(login_keys("admin", "192.0.2.7")) == 0  # the admin's own address does not


def test_a_user_at_one_address_is_locked_even_when_another_user_logs_in_there() -> None:
    clock = ManualClock(0.0)
    throttle = default_throttle(clock)
    for _ in range(10):
        assert throttle.begin(login_keys("admin", "10.0.0.1")) == 0
        assert throttle.begin(login_keys("watcher", "10.0.0.1")) == 0
        throttle.forgive(login_keys("watcher", "10.0.0.1"))  # the watcher's own login succeeds
    assert throttle.begin(login_keys("admin", "10.0.0.1")) == 1.0


def test_the_lock_doubles_with_each_failure_up_to_the_cap() -> None:
    clock = ManualClock(0.0)
    policy = ThrottlePolicy(free_failures=2, base_delay=1.0, max_delay=4.0)
    throttle = LoginThrottle(policy, clock=clock)
    waits = []
    for _ in range(6):
        assert throttle.begin(["client:a"]) == 0
        waits.append(throttle.retry_after(["client:a"]))
        clock.advance(waits[-1])
    assert waits == [0.0, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_a_refused_attempt_does_not_count() -> None:
    clock = ManualClock(0.0)
    throttle = LoginThrottle(ThrottlePolicy(free_failures=1), clock=clock)
    throttle.begin(["client:a"])
    assert throttle.begin(["client:a"]) == 1.0
    assert throttle.failures("client:a") == 1


def test_failures_are_forgotten_a_while_after_the_last_one() -> None:
    clock = ManualClock(0.0)
    throttle = LoginThrottle(ThrottlePolicy(free_failures=3, forget_after=60.0), clock=clock)
    throttle.begin(["user:admin"])
    throttle.begin(["user:admin"])
    clock.advance(59)
    assert throttle.failures("user:admin") == 2
    clock.advance(1)
    assert throttle.failures("user:admin") == 0


def test_forgiving_clears_the_keys_of_a_successful_attempt() -> None:
    throttle = LoginThrottle(clock=ManualClock(0.0))
    throttle.begin(["user:admin", "client:a"])
    throttle.forgive(["user:admin", "client:a"])
    assert throttle.failures("user:admin") == throttle.failures("client:a") == 0


def test_the_number_of_keys_kept_is_bounded_oldest_first() -> None:
    throttle = LoginThrottle(clock=ManualClock(0.0), max_keys=3)
    for name in "abcd":
        throttle.begin([f"user:{name}"])
    assert [throttle.failures(f"user:{name}") for name in "abcd"] == [0, 1, 1, 1]
