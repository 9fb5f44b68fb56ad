"""The preflight tests' servers (see stores.py)."""

from stores import postgres_server, redis_server

__all__ = ["postgres_server", "redis_server"]
