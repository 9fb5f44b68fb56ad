"""The bootstrap refuses upstream archives it cannot trust, saying what to fix.

Runs `scripts/bootstrap-toolchain.sh --check-archives` (the check that precedes every build
from an archive) on copies of ../shared/upstream that are intact, damaged, incomplete, or
re-listed in SHA256SUMS under another digest.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from devtools.engine import REPO, pins

ARCHIVES = ("LANGUAGE_PYTHON", "LANGUAGE_NODEJS", "LANGUAGE_YAML", "KUBERNETES", "RANDOM")


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    """A copy of the upstream folder the bootstrap reads by default."""
    source = Path(os.environ.get("LANGGRAPH_UPSTREAM_DIR", REPO.parent / "shared" / "upstream"))
    copy = tmp_path / "upstream"
    copy.mkdir()
    for name in [pins()[f"{piece}_ARCHIVE"] for piece in ARCHIVES] + ["SHA256SUMS"]:
        shutil.copy(source / name, copy / name)
    return copy


def check(upstream: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "scripts/bootstrap-toolchain.sh", "--check-archives"],
        cwd=REPO,
        env={**os.environ, "LANGGRAPH_UPSTREAM_DIR": str(upstream)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_intact_archives_pass(upstream: Path) -> None:
    done = check(upstream)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("ok: ") == len(ARCHIVES)


def test_a_damaged_archive_is_refused(upstream: Path) -> None:
    archive = upstream / pins()["RANDOM_ARCHIVE"]
    archive.write_bytes(archive.read_bytes() + b"\0")
    done = check(upstream)
    assert done.returncode == 1
    assert f"refusing {archive}: its sha256 is" in done.stderr
    assert "but SHA256SUMS says" in done.stderr and "fetch it again" in done.stderr
    assert done.stderr.count("ok: ") == len(ARCHIVES) - 1  # the others still pass


def test_a_missing_archive_names_the_folder_and_the_variable(upstream: Path) -> None:
    (upstream / pins()["KUBERNETES_ARCHIVE"]).unlink()
    done = check(upstream)
    assert done.returncode == 1
    assert f"no {pins()['KUBERNETES_ARCHIVE']} in {upstream}" in done.stderr
    assert "LANGGRAPH_UPSTREAM_DIR" in done.stderr


def test_an_archive_listed_under_another_digest_is_refused_by_the_pin(upstream: Path) -> None:
    """A consistent but different cut (SHA256SUMS rewritten to match) is not what the
    project pinned: it is refused until the pin moves deliberately."""
    name = pins()["LANGUAGE_PYTHON_ARCHIVE"]
    archive = upstream / name
    archive.write_bytes(archive.read_bytes() + b"\0")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    sums = upstream / "SHA256SUMS"
    sums.write_text(
        "".join(
            f"{digest}  {name}\n" if line.endswith(f"  {name}") else f"{line}\n"
            for line in sums.read_text().splitlines()
        )
    )
    done = check(upstream)
    assert done.returncode == 1
    pinned = pins()["LANGUAGE_PYTHON_ARCHIVE_SHA256"]
    assert f"toolchain/versions.env pins LANGUAGE_PYTHON_ARCHIVE_SHA256={pinned}" in done.stderr


def test_no_checksum_list_means_no_build(upstream: Path) -> None:
    (upstream / "SHA256SUMS").unlink()
    done = check(upstream)
    assert done.returncode == 1
    assert "no SHA256SUMS" in done.stderr and "unchecked archives" in done.stderr
