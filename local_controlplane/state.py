"""The local control plane's state: one thread-safe ``Store`` that loads or seeds it.

``Store`` is the layers put together, each in a module of its own:
:mod:`.state_file` (the JSON file on disk), :mod:`.records` (the records and lookups),
:mod:`.revision_lifecycle` (statuses advancing on a schedule), :mod:`.deployments` and
:mod:`.listeners` (the API's operations) and :mod:`.admin_hooks` (what only ``/_admin``
does). When a path is given, the state is written to it after every change.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from .admin_hooks import AdminHooks
from .revision_lifecycle import Behaviour
from .state_file import empty_state, load_state


class Store(AdminHooks):
    """Thread-safe state with the control-plane semantics. Tenants are isolated."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        seed_if_new: bool = True,
        clock: Callable[[], float] = time.time,
        behaviour: Behaviour | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self._clock = clock
        self._lock = threading.RLock()
        self.behaviour = behaviour or Behaviour()
        if self.path is not None and self.path.exists():
            self._state = load_state(self.path)
        else:
            self._state = empty_state()
            if seed_if_new:
                self._seed_defaults()
            self._save()
