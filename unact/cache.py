"""A Redis cache that survives Redis going away.

When Redis cannot be reached, every cache operation falls back to this process's own
memory: pages render uncached or from the local cache, rate limits count per process,
and the log says so once per outage. Redis is tried again every few seconds, and
caching through it resumes when it answers.
"""

import logging
import time

from redis.exceptions import RedisError

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger("unact.cache")

RETRY_AFTER_SECONDS = 5


def _resilient(name):
    def method(self, *args, **kwargs):
        return self._on_redis_or_fallback(
            lambda: getattr(super(ResilientRedisCache, self), name)(*args, **kwargs),
            lambda: getattr(self._fallback, name)(*args, **kwargs),
        )

    method.__name__ = name
    return method


class SharedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client, with one redis.Redis per connection pool.

    Django builds a new redis.Redis for every operation; redis-py 8 fills some 170
    response callbacks into a fresh dict in each one, which cost more CPU than the
    round trip itself (about 0.1 ms of CPU a call here). A redis.Redis is safe to share
    between threads: each command takes a connection from the pool, and the pool
    starts afresh in a forked process.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
        self._fallback = LocMemCache(
            f"fallback-{server}",
            {
                "OPTIONS": {"MAX_ENTRIES": 2000},
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
            },
        )
        self._down_until = 0.0
        self._was_down = False

    def _mark_down(self, error):
        self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        if not self._was_down:
            self._was_down = True
            logger.warning(
                "Redis is unreachable (%s): caching and rate limits fall back to this "
                "process only until it answers again.",
                error,
            )

    def ping(self):
        """Whether Redis itself answers now (the fallback does not count)."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except RedisError as error:
            self._mark_down(error)
            return False

    def _on_redis_or_fallback(self, on_redis, on_fallback):
        """on_redis() while Redis answers, else on_fallback() (Redis is tried again every
        few seconds)."""
        if time.monotonic() >= self._down_until:
            try:
                result = on_redis()
            except RedisError as error:
                self._mark_down(error)
            else:
                if self._was_down:
                    self._was_down = False
                    logger.warning(
                        "Redis is back: the shared cache and rate limits are shared again."
                    )
                return result
        return on_fallback()

    def count_in_window(self, key, seconds):
        """count_in_window() on Redis: one round trip (SET NX with the window's expiry, INCR)."""

        def on_redis():
            full_key = self.make_and_validate_key(key)
            with self._cache.get_client(full_key, write=True).pipeline(
                transaction=False
            ) as pipeline:
                pipeline.set(full_key, 0, ex=seconds, nx=True)
                pipeline.incr(full_key)
                _started, count = pipeline.execute()
            return count

        return self._on_redis_or_fallback(
            on_redis, lambda: _count_in_window(self._fallback, key, seconds)
        )

    add = _resilient("add")
    get = _resilient("get")
    set = _resilient("set")
    touch = _resilient("touch")
    delete = _resilient("delete")
    get_many = _resilient("get_many")
    has_key = _resilient("has_key")
    incr = _resilient("incr")
    set_many = _resilient("set_many")
    delete_many = _resilient("delete_many")
    clear = _resilient("clear")


def _count_in_window(backend, key, seconds):
    # add() starts the window only if none is running; incr() is atomic on Redis.
    backend.add(key, 0, timeout=seconds)
    try:
        return backend.incr(key)
    except ValueError:  # the window ended between add() and incr()
        backend.add(key, 1, timeout=seconds)
        return 1


def count_in_window(key, seconds):
    """Count one more event under `key` in the shared cache, in a fixed window of
    `seconds` that starts with the first event; the count so far in this window.

    The one counter behind every rate limit (comments, newsletter signups per IP,
    confirmation emails per address). Redis counts for all app servers; while Redis is
    away, each process counts alone (see ResilientRedisCache).
    """
    counter = getattr(cache, "count_in_window", None)
    if counter is not None:
        return counter(key, seconds)
    return _count_in_window(cache, key, seconds)
