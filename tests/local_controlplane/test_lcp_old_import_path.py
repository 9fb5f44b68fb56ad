"""``local_controlplane.store`` still answers with the names code wrote against it before
the state was split into modules by job."""

from __future__ import annotations

import local_controlplane.store as old
from local_controlplane.errors import StoreError
from local_controlplane.revision_lifecycle import REVISION_STEPS, Behaviour
from local_controlplane.state import Store


def test_the_old_path_names_the_same_objects() -> None:
    assert old.Store is Store
    assert old.StoreError is StoreError
    assert old.Behaviour is Behaviour
    assert old.REVISION_STEPS is REVISION_STEPS
    assert all(hasattr(old, name) for name in old.__all__)
