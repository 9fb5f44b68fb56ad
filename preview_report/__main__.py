"""`python -m preview_report`: see `preview_report.cli`."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
