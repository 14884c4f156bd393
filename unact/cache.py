"""A Redis cache that survives Redis going away.

When Redis cannot be reached, every cache operation falls back to this process's own
memory: pages render uncached or from the local cache, rate limits count per process,
and the log says so once per outage. Redis is tried again every few seconds, and
caching through it resumes when it answers.
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("unact.cache")

RETRY_AFTER_SECONDS = 5


def _resilient(name):
    def method(self, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                result = getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
            except RedisError as error:
                self._mark_down(error)
            else:
                if self._was_down:
                    self._was_down = False
                    logger.warning("Redis is back: the shared cache and rate limits are shared again.")
                return result
        return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._fallback = LocMemCache(f"fallback-{server}", {"OPTIONS": {"MAX_ENTRIES": 2000}, "KEY_PREFIX": params.get("KEY_PREFIX", "")})
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
