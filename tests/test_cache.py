"""The shared cache's counter behind every rate limit (unact.cache.count_in_window)."""

import logging
import os
import threading
import time

import pytest

from unact.cache import ResilientRedisCache, count_in_window

redis = pytest.importorskip("redis")
URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def prefix():
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"unact-count-test-{time.time_ns()}"
    yield prefix
    client = redis.Redis.from_url(URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def app_server_cache(prefix, location=URL):
    return ResilientRedisCache(
        location,
        {
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        },
    )


def test_counts_are_shared_by_app_servers_and_the_window_expires(prefix):
    first, second = app_server_cache(prefix), app_server_cache(prefix)
    assert [
        first.count_in_window("k", 60),
        second.count_in_window("k", 60),
        first.count_in_window("k", 60),
    ] == [1, 2, 3]
    ttl = redis.Redis.from_url(URL).ttl(first.make_and_validate_key("k"))
    assert (
        55 <= ttl <= 60
    )  # the window started with the first event and is not extended
    assert first.get("k") == 3  # an ordinary cache value too
    assert first.count_in_window("short", 1) == 1
    time.sleep(1.2)
    assert second.count_in_window("short", 1) == 1  # a new window


def test_without_redis_each_process_counts_alone_and_says_so(prefix, caplog):
    unreachable = app_server_cache(prefix, location="redis://127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING, logger="unact.cache"):
        assert [unreachable.count_in_window("k", 60) for _ in range(3)] == [1, 2, 3]
    assert "rate limits fall back to this process" in caplog.text


def test_the_module_function_uses_the_configured_cache(settings, prefix):
    settings.CACHES = {
        "default": {
            "BACKEND": "unact.cache.ResilientRedisCache",
            "LOCATION": URL,
            "KEY_PREFIX": prefix,
        }
    }
    assert [count_in_window("n", 60) for _ in range(2)] == [1, 2]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": prefix,
        }
    }
    assert [count_in_window("n", 60) for _ in range(2)] == [1, 2]


def test_one_redis_client_serves_every_operation_from_threads_and_forked_workers(
    prefix,
):
    cache = app_server_cache(prefix)
    cache.set("parent", 1)
    assert cache._cache.get_client("parent", write=True) is cache._cache.get_client(
        "other", write=True
    )

    failures = []

    def worker(number):
        for round_ in range(100):
            cache.set(f"thread-{number}", round_)
            if cache.get_many([f"thread-{number}", "parent"]) != {
                f"thread-{number}": round_,
                "parent": 1,
            }:
                failures.append((number, round_))

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []

    # gunicorn --preload forks workers from a process that may have used the cache:
    # a child must not share its parent's socket.
    child = os.fork()
    if child == 0:
        ok = False
        try:
            ok = cache.get("parent") == 1 and cache.set("child", 2) is None
        finally:
            os._exit(0 if ok else 1)
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert cache.get_many(["parent", "child"]) == {"parent": 1, "child": 2}
