"""The errors the API answers with: ``StoreError`` and the messages more than one route
shares."""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    """An API error: rendered as ``{"detail": detail}`` with ``status_code``."""

    def __init__(self, status_code: int, detail: Any) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


def not_found(kind: str, object_id: str) -> StoreError:
    return StoreError(404, f"{kind} ID {object_id} not found.")


def listener_required(listener_ids: list[str]) -> StoreError:
    """A create without ``source_config.listener_id``, in the hosted API's words (as quoted
    by langgraph-cli's own tests): the official CLI finds "listener_id' is required" in a
    400 (``langgraph_cli.deploy._LISTENER_REQUIRED_MARKER``) and tells the user to pass
    --listener-id and --k8s-namespace."""
    return StoreError(
        400,
        "Source configuration error: 'source_config.listener_id' is required for "
        f"workspace with available listener IDs: {listener_ids!r}",
    )
