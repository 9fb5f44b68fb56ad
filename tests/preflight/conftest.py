"""The preflight tests' servers (see loopback_servers.py)."""

from loopback_servers import postgres_server, redis_server

__all__ = ["postgres_server", "redis_server"]
