"""A local chart archive is checked before it is used: against the `SHA256SUMS` file beside
it (as `../shared/charts/` ships them), and for the chart it must be.

Reading the archive is I/O, so the program runs this at its read step, before it plans;
the plan only turns the setting into a `ChartSource`.
"""

from __future__ import annotations

import hashlib
import tarfile
from pathlib import Path

import yaml

from ..config import ConfigError, Problem, StackConfig

SUMS = "SHA256SUMS"
KEY = "operator.chart.path"


def local_chart(path: str) -> Path:
    """The archive a `path` setting names (`~` expanded, relative to the project folder)."""
    return Path(path).expanduser().resolve()


def chart_problem(path: str, name: str, version: str) -> Problem | None:
    """Why the local archive at `path` is not chart `name` at `version`, checked against
    the `SHA256SUMS` beside it; None when it is."""
    archive = local_chart(path)
    fix_remote = "or unset it to fetch the chart from `operator.chart.repository`"
    if not archive.is_file():
        return Problem(KEY, f"no file at {archive}", f"point it at the chart archive, {fix_remote}")
    sums = archive.parent / SUMS
    if not sums.is_file():
        return Problem(
            KEY,
            f"there is no {SUMS} beside {archive.name} to check it against",
            f"put the chart's {SUMS} in {archive.parent}, {fix_remote}",
        )
    listed = {}
    for line in sums.read_text().splitlines():
        digest, _, filename = line.strip().partition("  ")
        listed[filename.lstrip("*")] = digest.lower()
    if archive.name not in listed:
        return Problem(
            KEY,
            f"{archive.name} is not listed in {sums}",
            f"use an archive that {SUMS} lists, {fix_remote}",
        )
    actual = hashlib.sha256(archive.read_bytes()).hexdigest()
    if actual != listed[archive.name]:
        return Problem(
            KEY,
            f"{archive.name} does not match its SHA-256 in {sums} (damaged or replaced)",
            f"fetch the archive again, {fix_remote}",
        )
    found = _chart_of(archive)
    if found != (name, version):
        return Problem(
            KEY,
            f"{archive.name} holds chart {found[0]} {found[1]}, not {name} {version}",
            f"use the {name}-{version}.tgz archive, {fix_remote}",
        )
    return None


def check_local_chart(config: StackConfig, name: str, version: str) -> None:
    """Raise a `ConfigError` when the stack installs the operator from a bad local archive."""
    path = config.operator.chart.path
    if config.reconciler != "listener" or path is None:
        return
    problem = chart_problem(path, name, version)
    if problem is not None:
        raise ConfigError([problem])


def _chart_of(archive: Path) -> tuple[str, str]:
    """The name and version in an archive's `<chart>/Chart.yaml`."""
    try:
        with tarfile.open(archive) as tar:
            member = next(
                m
                for m in tar.getmembers()
                if m.name.count("/") == 1 and m.name.endswith("/Chart.yaml")
            )
            handle = tar.extractfile(member)
            meta = yaml.safe_load(handle.read()) if handle else {}
    except (tarfile.TarError, StopIteration, yaml.YAMLError, OSError):
        return ("(not a chart archive)", "")
    return (str(meta.get("name")), str(meta.get("version")))
