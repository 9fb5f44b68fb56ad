"""The old import path, kept for code written against it: everything here now lives in
modules named for their job (see :mod:`.state`). New code imports from those."""

from .deployments import IMMUTABLE_SOURCE_CONFIG, MUTABLE_SOURCE_CONFIG
from .errors import StoreError, listener_required, not_found
from .records import iso
from .revision_lifecycle import REVISION_STEPS, Behaviour, image_version_of
from .state import Store
from .state_file import STATE_FORMAT, write_json_atomic

__all__ = [
    "IMMUTABLE_SOURCE_CONFIG",
    "MUTABLE_SOURCE_CONFIG",
    "REVISION_STEPS",
    "STATE_FORMAT",
    "Behaviour",
    "Store",
    "StoreError",
    "image_version_of",
    "iso",
    "listener_required",
    "not_found",
    "write_json_atomic",
]
