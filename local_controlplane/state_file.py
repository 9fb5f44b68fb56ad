"""The JSON state file on disk: its format, an empty state, reading it and writing it
atomically (temp file + fsync + rename, so a crash never leaves a half-written file)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

STATE_FORMAT = 1


def empty_state() -> dict[str, Any]:
    return {"format": STATE_FORMAT, "seq": 0, "listeners": {}, "deployments": {}, "revisions": {}}


def load_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuntimeError(
            f"cannot read control-plane state {path}: {exc}. Fix or delete the file "
            "(deleting it re-seeds the example deployments)."
        ) from exc
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise RuntimeError(
            f"control-plane state {path} has an unknown format; delete it to start over."
        )
    return data


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to ``path`` atomically (temp file in the same folder, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
