"""Every stack file registers exactly what its committed snapshot says.

The snapshots (tests/unit/registrations/golden/) hold each registration's type, name, parent,
inputs, secret paths and options, and the stack outputs, for the example stacks and the
registration scenarios. A change that should register something else regenerates them on
purpose, and the diff is reviewed with it:

    .venv/bin/python -m devtools.registrations write tests/unit/registrations/golden
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.registrations import GOLDEN, differences, stack_files, stack_name

STACK_FILES = stack_files()


def test_every_example_stack_and_scenario_has_a_snapshot() -> None:
    assert {p.name for p in STACK_FILES} >= {"Pulumi.dev.yaml", "Pulumi.acme-prod.yaml"}
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(map(stack_name, STACK_FILES))


@pytest.mark.parametrize("path", STACK_FILES, ids=stack_name)
def test_registrations_match_the_snapshot(path: Path) -> None:
    diff = differences(GOLDEN, path)
    assert not diff, "\n".join(diff[:120])
