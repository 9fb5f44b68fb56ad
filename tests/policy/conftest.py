"""The policy pack's tests reuse the integration tests' copy of the project
(tests/integration/dataplane_project.py) for the example stacks."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
