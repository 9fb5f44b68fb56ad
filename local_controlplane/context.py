"""What the API and admin routes share: the store, keys, faults and request stats."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from fastapi import Request

from .auth import ApiKey, KeyRing
from .faults import FaultSet, RequestStats
from .revision_lifecycle import Behaviour
from .state import Store


@dataclass
class ServerContext:
    store: Store
    keys: KeyRing
    faults: FaultSet
    stats: RequestStats
    # What the server started with; /_admin/reset goes back to it.
    initial_behaviour: Behaviour = field(default_factory=Behaviour)
    initial_keys: list[ApiKey] = field(default_factory=list)

    def fresh_behaviour(self) -> Behaviour:
        return copy.deepcopy(self.initial_behaviour)


def get_context(request: Request) -> ServerContext:
    return request.app.state.context  # type: ignore[no-any-return]
