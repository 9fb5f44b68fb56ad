"""Snapshots of what each stack file registers, under the project's mocks.

For one stack file this runs the real program (`components.program.main`: config read through
the Pulumi runtime, discovery, the data plane, the exports) under `devtools.mocks`, with each
`secure:` value replaced by a made-up one and a control plane that answers from memory. It
records every registration (type, name, parent, inputs, secret paths, options) and the stack
outputs, in preview and in update mode, as sorted JSON.

A refactoring that changes no behaviour leaves the snapshots byte for byte as they were:

    python -m devtools.registrations write DIR [STACK_FILE ...]   # record
    python -m devtools.registrations compare DIR [STACK_FILE ...] # exit 1 on any difference

Without STACK_FILE: every stacks/Pulumi.*.yaml and the scenarios in
tests/unit/registrations/scenarios/. tests/unit/test_registrations.py compares against the
committed snapshots in tests/unit/registrations/golden/; regenerate those only on purpose.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pulumi
import yaml

from components.core.defaults import DEFAULT_NAMESPACES, POSTGRES_PORT, REDIS_PORT

from .recording import Registered, mocked_main, run_program

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "tests" / "unit" / "registrations" / "scenarios"
GOLDEN = REPO / "tests" / "unit" / "registrations" / "golden"
PREFIX = "dataplane:"
LISTENER_ID = "listener-1"
DISCOVERED_SECRET = "sk-discovered-secret-value"
# Extra environment for a run: `~` in a kubeconfig path expands the same on every machine.
RUN_ENV = {"HOME": "/home/dataplane"}
ROOT_STACK = "pulumi:pulumi:Stack"
# The program's environment switches: a snapshot is of the stack file alone.
CLEARED_ENV = (
    "DATAPLANE_KUBECONFIG",
    "LANGSMITH_CONTROL_PLANE_URL",
    "PULUMI_CONFIG",
    "PULUMI_CONFIG_SECRET_KEYS",
)


def stack_files() -> list[Path]:
    """The example stacks and the scenario stacks."""
    return sorted((REPO / "stacks").glob("Pulumi.*.yaml")) + sorted(SCENARIOS.glob("Pulumi.*.yaml"))


def stack_name(path: Path) -> str:
    return path.name.removeprefix("Pulumi.").removesuffix(".yaml")


def stack_config(path: Path) -> tuple[dict[str, str], list[str]]:
    """The stack's config as Pulumi hands it over, each `secure:` value made up from its path."""
    doc = yaml.safe_load(path.read_text())
    secret_keys: list[str] = []

    def plain(value: Any, key: str, at: str) -> Any:
        if isinstance(value, dict) and set(value) == {"secure"}:
            if key not in secret_keys:
                secret_keys.append(key)
            return _fake(at)
        if isinstance(value, dict):
            return {k: plain(v, key, f"{at}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v, key, f"{at}.{i}") for i, v in enumerate(value)]
        return value

    config: dict[str, str] = {}
    for key, value in (doc.get("config") or {}).items():
        value = plain(value, key, key)
        config[key] = value if isinstance(value, str) else json.dumps(value)
    return config, secret_keys


def _fake(path: str) -> str:
    leaf = path.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
    if "externalPostgresUris" in path:
        return f"postgresql://app:fake-{leaf}@db.internal:{POSTGRES_PORT}/app"
    if "externalRedisUris" in path:
        return f"redis://:fake-{leaf}@redis.internal:{REDIS_PORT}/0"
    return f"fake-secret-{leaf}"


def _served_names(config: dict[str, str]) -> list[str]:
    """The deployments the stack names for discovery (not static ones), and one more."""
    deployments = json.loads(config.get(f"{PREFIX}deployments", "{}"))
    named = [n for n, entry in deployments.items() if not (entry or {}).get("static")]
    return [*named, "extra-agent"]


@contextmanager
def fake_control_plane(config: dict[str, str]) -> Iterator[None]:
    """A control plane that lists this stack's listener and its deployments, and reads their
    revisions, without HTTP.

    Deployments are spread over the watched namespaces in turn. A standalone stack (no
    `controlPlane`) gets a control plane that fails any call: it must make none.
    """
    from components.controlplane import ControlPlaneClient, Deployment, Listener, Revision

    from .mocks import MOCK_IMAGE

    if f"{PREFIX}controlPlane" not in config:

        def no_call(*_: object, **__: object) -> None:
            raise AssertionError("a standalone stack asked the control plane")

        with (
            mock.patch.object(ControlPlaneClient, "iter_listeners", no_call),
            mock.patch.object(ControlPlaneClient, "list_deployments", no_call),
            mock.patch.object(ControlPlaneClient, "iter_deployments", no_call),
            mock.patch.object(ControlPlaneClient, "get_revision", no_call),
        ):
            yield
        return
    control_plane = json.loads(config[f"{PREFIX}controlPlane"])
    namespaces = json.loads(config.get(f"{PREFIX}namespaces", "{}")).get("names") or list(
        DEFAULT_NAMESPACES
    )
    listener = Listener.model_validate(
        {
            "id": LISTENER_ID,
            "compute_id": control_plane["listenerComputeId"],
            "compute_config": {"k8s_namespaces": namespaces},
        }
    )
    deployments = [
        Deployment.model_validate(
            {
                "id": f"id-{name}",
                "name": name,
                "source": "external_docker",
                "source_config": {
                    "listener_id": LISTENER_ID,
                    "listener_config": {"k8s_namespace": namespaces[i % len(namespaces)]},
                    "resource_spec": {"min_scale": 1, "max_scale": 3},
                },
                "secrets": [{"name": "OPENAI_API_KEY", "value": DISCOVERED_SECRET}],
                "status": "READY",
                "active_revision_id": f"rev-{name}",
                "latest_revision_id": f"rev-{name}-next" if i % 2 else f"rev-{name}",
            }
        )
        for i, name in enumerate(_served_names(config))
    ]

    def revision(_self: ControlPlaneClient, _deployment_id: str, revision_id: str) -> Revision:
        # The active revisions are deployed; the newer ones (`-next`) still building.
        status = "BUILDING" if revision_id.endswith("-next") else "DEPLOYED"
        return Revision.model_validate(
            {
                "id": revision_id,
                "status": status,
                "source_revision_config": {"image_uri": MOCK_IMAGE},
            }
        )

    with (
        mock.patch.object(ControlPlaneClient, "iter_listeners", lambda self, **_: iter([listener])),
        mock.patch.object(ControlPlaneClient, "list_deployments", lambda self, **_: deployments),
        mock.patch.object(
            ControlPlaneClient, "iter_deployments", lambda self, **_: iter(deployments)
        ),
        mock.patch.object(ControlPlaneClient, "get_revision", revision),
    ):
        yield


@contextmanager
def _environment() -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in (*RUN_ENV, *CLEARED_ENV)}
    try:
        for key in CLEARED_ENV:
            os.environ.pop(key, None)
        os.environ.update(RUN_ENV)
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def record(path: Path) -> dict[str, Any]:
    """The snapshot of one stack file: registrations and outputs, in preview and in update."""
    config, secret_keys = stack_config(path)
    snapshot: dict[str, Any] = {}
    for mode in ("preview", "update"):

        def main() -> pulumi.Output[dict[str, Any]]:
            root = pulumi.runtime.get_root_resource()
            assert root is not None
            root.outputs.clear()  # type: ignore[attr-defined]
            mocked_main()
            return pulumi.Output.all(**root.outputs)  # type: ignore[attr-defined]

        with _environment(), fake_control_plane(config):
            run = run_program(
                main, config=config, secret_keys=secret_keys, preview=mode == "preview"
            )
        snapshot[mode] = {
            "registrations": sorted(
                # The root Stack registers in the first run of a process only.
                (_plain(r) for r in run.resources if r.typ != ROOT_STACK),
                key=lambda r: (r["parent"], r["type"], r["name"]),
            ),
            "outputs": run.value,
        }
    if snapshot["preview"] == snapshot["update"]:
        snapshot["preview"] = "the same as in update"
    return snapshot


def _plain(r: Registered) -> dict[str, Any]:
    return {
        "type": r.typ,
        "name": r.name,
        "parent": r.parent,
        "custom": r.custom,
        "protect": r.protect,
        "retain_on_delete": r.retain_on_delete,
        "inputs": r.inputs,
        "secret_paths": r.secret_paths,
        "options": r.options,
    }


def dumps(snapshot: dict[str, Any]) -> str:
    return json.dumps(snapshot, indent=1, sort_keys=True) + "\n"


def write(directory: Path, paths: list[Path]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for path in paths:
        (directory / f"{stack_name(path)}.json").write_text(dumps(record(path)))
        print(f"wrote {directory / f'{stack_name(path)}.json'}")


def differences(directory: Path, path: Path) -> list[str]:
    """A unified diff of the recorded snapshot against the current one; empty when equal."""
    saved = directory / f"{stack_name(path)}.json"
    before = saved.read_text() if saved.exists() else ""
    after = dumps(record(path))
    return list(
        difflib.unified_diff(
            before.splitlines(), after.splitlines(), str(saved), f"{path} (now)", lineterm="", n=2
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["write", "compare"])
    parser.add_argument("directory", type=Path)
    parser.add_argument("stacks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.stacks or stack_files()
    if args.action == "write":
        write(args.directory, paths)
        return 0
    failed = 0
    for path in paths:
        diff = differences(args.directory, path)
        saved = args.directory / f"{stack_name(path)}.json"
        parts = _compare_parts(json.loads(saved.read_text()), record(path)) if diff else {}
        verdict = ", ".join(f"{part} {what}" for part, what in parts.items()) or "identical"
        print(f"{stack_name(path)}: {verdict}")
        if diff:
            failed += 1
            print("\n".join(diff[:200]))
    print(f"{len(paths) - failed} identical, {failed} different")
    return 1 if failed else 0


def _compare_parts(before: dict[str, Any], after: dict[str, Any]) -> dict[str, str]:
    """Which parts of two snapshots differ: the registrations, the outputs, in which mode."""
    parts = {}
    for mode in ("preview", "update"):
        # "the same as in update" stands for the update section.
        a, b = (s[mode] if isinstance(s[mode], dict) else s["update"] for s in (before, after))
        for part in ("registrations", "outputs"):
            parts[f"{mode} {part}"] = "identical" if a[part] == b[part] else "DIFFERENT"
    return parts


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
