"""The preflight tests' servers (see loopback_servers.py)."""

from tests.preflight.loopback_servers import postgres_server, redis_server

__all__ = ["postgres_server", "redis_server"]
