"""badger.cache: the policy of a named cache (bound, TTL, add-if-absent, counters), the same
behaviour in memory and on Redis, and JSON codecs that give back every cached value type."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from badger import cache
from badger.awards import BadgeImage, documents
from badger.ob3 import Check, VerificationReport
from badger.portfolio import BadgeView, RecruiterWord
from badger.verification import Description, messages


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[cache.RedisStore | None]:
    if request.param == "memory":
        yield None
        return
    url = request.getfixturevalue("redis_server")
    found = cache.RedisStore(url, "badger-test:")
    found.client.flushdb()
    yield found


def _cache(store: cache.RedisStore | None, **policy: Any) -> cache.Cache[Any]:
    return cache.Cache("test", register=False, store=store, **policy)


def test_memory_cache_is_bounded_lru_with_ttl() -> None:
    clock = Clock()
    c: cache.Cache[int] = cache.Cache("test", size=2, ttl=10, clock=clock, register=False)
    c.set("a", 1)
    c.set("b", 2)
    assert c.get("a") == 1  # a is now the most recent
    c.set("c", 3)
    assert c.get("b") is None and c.get("a") == 1 and c.get("c") == 3
    clock.now += 11
    assert c.get("a") is None and c.get("c") is None


def test_get_set_delete_add_and_incr(store: cache.RedisStore | None) -> None:
    c = _cache(store, size=100, ttl=60)
    assert c.get("k") is None
    c.set("k", {"x": [1, 2]})
    assert c.get("k") == {"x": [1, 2]}
    c.delete("k")
    assert c.get("k") is None
    assert c.add("once", True) is True
    assert c.add("once", True) is False
    assert [c.incr("n", ttl=30) for _ in range(3)] == [1, 2, 3]
    left = c.expires_in("n")
    assert left is not None and 0 < left <= 30
    c.clear()
    assert c.get("once") is None and c.incr("n", ttl=30) == 1


def test_redis_entries_expire_and_are_prefixed(redis_server: str) -> None:
    store = cache.RedisStore(redis_server, "badger-test:")
    store.client.flushdb()
    c: cache.Cache[str] = cache.Cache("short", size=10, ttl=0.2, store=store, register=False)
    c.set("k", "v")
    (name,) = store.client.keys("*")
    assert name.startswith(b"badger-test:short:") and b"k" not in name.split(b":")[-1][:1]
    import time

    time.sleep(0.3)
    assert c.get("k") is None


def test_two_instances_on_one_redis_are_kept_apart() -> None:
    one = cache.instance_prefix({"BADGER_BASE_URL": "https://a.example"})
    two = cache.instance_prefix({"BADGER_BASE_URL": "https://b.example"})
    assert one != two and one.startswith("badger:")
    assert cache.instance_prefix({"BADGER_REDIS_PREFIX": "x:"}) == "x:"


def _roundtrip(codec: cache.Codec[Any], value: Any) -> Any:
    return codec.loads(json.loads(json.dumps(codec.dumps(value))))


def test_codecs_give_back_every_cached_type() -> None:
    texts = (documents.AchievementTexts("en", "Name", "Desc", "", "alt"),)
    assert _roundtrip(cache.typed(tuple[documents.AchievementTexts, ...]), texts) == texts
    image = BadgeImage("en", b"\x89PNG\x00", "<svg/>")
    assert _roundtrip(cache.typed(BadgeImage), image) == image
    inner = VerificationReport(checks=[Check("proof", "passed", "ok", "proof_ok")])
    report = VerificationReport(checks=[Check("status", "unknown", "?", "status_x")],
                                credential={"id": "urn:x"}, format="ldp_vc", vc_version="2.0",
                                proof_types=["DataIntegrityProof"], endorsements=[inner])
    again = _roundtrip(cache.typed(VerificationReport), report)
    assert again == report and isinstance(again.endorsements[0].checks[0], Check)
    view = BadgeView(
        kind="credential", title="T",
        summary=messages.PlainSummary("verified", "h", "s", "check", "status-ok", ["r"]),
        checks=[messages.PlainCheck("proof", "passed", "c", "t", "x", "l", "tech")],
        about=Description(name="n", valid_from=datetime(2026, 1, 2, tzinfo=UTC),
                          endorsers=["e"]),
        status="valid", level=3, recruiter_words=[RecruiterWord("k", "l", None)],
        issued_at=datetime(2026, 1, 1, 12, tzinfo=UTC), cache_key="key",
    )
    assert _roundtrip(cache.typed(BadgeView), view) == view


def test_every_named_cache_declares_its_policy() -> None:
    import badger.portfolio.views
    import badger.referentiels.framework  # noqa: F401 - where the other caches are

    names = set(cache.CACHES)
    assert {"awards.texts", "awards.achievement_json", "awards.images", "portfolio.reports",
            "portfolio.badge_views", "portfolio.badge_fragments", "verification.status_urls",
            "referentiels.case_packages"} <= names
    for named in cache.CACHES.values():
        assert named.size > 0 and (named.ttl is None or named.ttl > 0)


def test_ci_fails_without_redis_and_the_sqlite_run_skips_the_two_process_test() -> None:
    from tests import test_several_processes
    from tests.conftest import ci_failure

    assert ci_failure("redis-server is not installed", {"CI": "true"})
    reason = test_several_processes.pytestmark.kwargs["reason"]
    assert ci_failure(reason, {"CI": "true"}) is None  # the PostgreSQL run runs it
