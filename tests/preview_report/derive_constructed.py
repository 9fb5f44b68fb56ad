"""Derive the `constructed-*.json` fixtures from the real captures. NOT engine output.

    .venv/bin/python tests/preview_report/derive_constructed.py          # (re)write them
    .venv/bin/python tests/preview_report/derive_constructed.py --check  # compare only

The Kubernetes and random plugins cannot be built on the machine that captured the real
fixtures, so no real preview has Kubernetes steps in it. These documents add them, as the
full program would declare them, to real captures:

1. Start from a real fixture (its config, its Stack step and its real `RevisionSync` steps,
   kept verbatim) and the real `RevisionSync` state before it (the real fixtures applied by
   `up` before it, in capture order).
2. Run the project's real program (`components.program.build_stack` with the dev stack's
   config and a discovery made of those real `RevisionSync` states) under Pulumi's mocks
   (`tests/unit/harness.py`'s recording monitor) twice: with the state before, and with the
   state after (plus the scenario's config change). The mocks answer each `RevisionSync`
   with its real resolved values (image, revision id, digest).
3. Diff the two sets of registrations into preview steps shaped like the real ones (`op`,
   `urn`, `provider`, `oldState`/`newState` with `inputs`, `parent`, `protect`, ...):
   added -> `create`, gone -> `delete`, changed -> `update`, or `replace` when a changed path
   is one Kubernetes cannot update in place (a PVC's `spec`, a workload's selector, a
   StatefulSet's `volumeClaimTemplates`, any `metadata.name`/`namespace`, any input of a
   RandomPassword). `detailedDiff` holds every changed path (kind `add`/`update`/`delete`,
   `-replace` when it forces the replacement), `diffReasons`/`replaceReasons` their
   top-level keys. Unchanged resources get no step (the real JSON lists no `same` step
   but the Stack's) and count as `same` in `changeSummary`.
   Secret inputs become `[secret]`, as the CLI prints them; in `*-show-secrets` documents
   they keep their plain value instead, as a CLI that honoured `--show-secrets` would print
   them (3.259.0 does not: see the fixtures README).
   Keys are sorted (the mocks' protobuf maps have no stable order), also in the real steps
   copied over. Approximations: an old state's `outputs` repeat its inputs (a live object would add
   `status` and defaults), the Kubernetes provider's id is a fixed made-up one, and
   timestamps and stack traces are left out.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FIXTURES = HERE / "fixtures"
sys.path[:0] = [str(REPO), str(REPO / "tests" / "unit")]

from harness import DYNAMIC, RecordingMonitor, Registered  # noqa: E402

from components.config import NAMESPACE, parse_stack_config  # noqa: E402
from components.discovery import DiscoveredDeployment, Discovery  # noqa: E402
from components.program import build_stack  # noqa: E402
from devtools.mocks import DataplaneMocks  # noqa: E402
from local_controlplane.seed import DEFAULT_API_KEY, DEPLOYMENTS  # noqa: E402
from preview_report.steps import Urn, format_path  # noqa: E402

PROJECT = "langgraph-dataplane"
STACK = "dev"
# The dev stack's secure config, decrypted (documented development values, not secrets).
DEV_SECRETS = {"apiKey": DEFAULT_API_KEY, "licenseKey": "lgp-local-dev-fake-licence-key"}
# Real fixtures whose changes `up` applied, in capture order (see capture_previews.py).
APPLIED = ["initial", "new-revision", "scale-change", "new-deployment"]
K8S_PROVIDER_ID = "00000000-0000-4000-8000-00000000c0de"
SEEDED_SECRETS = {d["name"]: {s["name"]: s["value"] for s in d["secrets"]} for d in DEPLOYMENTS}

SCENARIOS: dict[str, dict[str, Any]] = {
    # A PR that sets a StorageClass for Postgres while agent-alpha ships a new image.
    "constructed-database-replace": {
        "base": "new-revision",
        "config": {"postgres": {"deletionProtection": False, "storageClass": "gp3-encrypted"}},
    },
    "constructed-database-replace-show-secrets": {
        "base": "new-revision",
        "config": {"postgres": {"deletionProtection": False, "storageClass": "gp3-encrypted"}},
        "show_secrets": True,
    },
    # agent-beta deleted in the control plane: its servers, Postgres and Redis go.
    "constructed-deployment-removed": {"base": "deployment-deleted", "config": {}},
    "constructed-deployment-removed-show-secrets": {
        "base": "deployment-deleted",
        "config": {},
        "show_secrets": True,
    },
    # agent-beta's resource_spec PATCHed: the servers' resources and HPAs change.
    "constructed-scale-change-kubernetes": {"base": "scale-change", "config": {}},
}


def real(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def sync_steps(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for step in doc.get("steps") or []:
        if "::pulumi-python:dynamic:Resource::revision-" in step["urn"]:
            yield step


def states_before(base: str) -> dict[str, dict[str, Any]]:
    """Deployment name -> the real RevisionSync inputs in state before `base` was captured."""
    state: dict[str, dict[str, Any]] = {}
    for name in APPLIED[: APPLIED.index(base)] if base in APPLIED else APPLIED:
        state = apply(state, real(name))
    return state


def apply(state: dict[str, dict[str, Any]], doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    state = dict(state)
    for step in sync_steps(doc):
        name = Urn.parse(step["urn"]).name.removeprefix("revision-")
        if step["op"] == "delete":
            state.pop(name, None)
        else:
            state[name] = step["newState"]["inputs"]
    return state


class _RealSyncMocks(DataplaneMocks):
    """Answers each RevisionSync with the real values its `check` resolved."""

    def __init__(self, syncs: dict[str, dict[str, Any]], listener_id: str) -> None:
        super().__init__()
        self.by_id = {props["deployment_id"]: props for props in syncs.values()}
        self.listener_id = listener_id

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        rid, state = super().new_resource(args)
        if args.typ == DYNAMIC and "deployment_id" in state:
            resolved = self.by_id[state["deployment_id"]]
            keys = ("revision_id", "status", "image", "secret_names", "secrets_digest", "notice")
            state.update({k: resolved[k] for k in keys})
            rid = state["deployment_id"]
        if args.typ == DYNAMIC and "compute_id" in state:
            state["listener_id"] = self.listener_id
        return rid, state


def dev_config(doc: dict[str, Any], overrides: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The dev stack file's config as the fixture's run saw it, plus `overrides`."""
    raw = yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())["config"]
    config: dict[str, Any] = {}
    secret_keys: list[str] = []
    for key, value in raw.items():
        short = key.split(":", 1)[1]
        if isinstance(value, dict) and set(value) == {"secure"}:
            value = DEV_SECRETS[short]
            secret_keys.append(short)
        seen = doc["config"].get(key)
        if seen is not None and seen != "[secret]":
            value = json.loads(seen) if seen[:1] in "{[" else seen
        config[short] = value
    for key, value in doc["config"].items():
        short = key.split(":", 1)[1]
        if short not in config and value != "[secret]":
            config[short] = json.loads(value) if value[:1] in "{[" else value
    config.update(overrides)
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}, secret_keys


def registrations(
    doc: dict[str, Any], syncs: dict[str, dict[str, Any]], overrides: dict[str, Any]
) -> list[Registered]:
    """What the real program registers for these RevisionSync states, under mocks."""
    raw, secret_keys = dev_config(doc, overrides)
    config = parse_stack_config(raw, secret_keys)
    discovery = Discovery(
        listener_id=None,
        deployments=[
            DiscoveredDeployment(
                id=p["deployment_id"],
                name=p["deployment_name"],
                namespace=p["namespace"],
                active_revision_id=p["active_revision_id"],
                latest_revision_id=p["latest_revision_id"],
                resource_spec=p["resource_spec"],
                secrets=SEEDED_SECRETS.get(p["deployment_name"], {}),
            )
            for p in syncs.values()
        ],
    )
    listener_id = next(
        (s["oldState"]["outputs"]["listener_id"] for s in doc["steps"] if _is_stack(s)),
        "listener",
    )
    sink: list[Registered] = []
    mocks = _RealSyncMocks(syncs, listener_id)
    pulumi.runtime.set_mocks(
        mocks, project=PROJECT, stack=STACK, preview=False, monitor=RecordingMonitor(mocks, sink)
    )
    pulumi.runtime.set_all_config(
        {f"{NAMESPACE}:{k}": v for k, v in raw.items()},
        [f"{NAMESPACE}:{k}" for k in secret_keys],
    )
    pulumi.runtime.test(lambda: build_stack(config, discovery) and None)()
    return sink


def _is_stack(step: dict[str, Any]) -> bool:
    return "::pulumi:pulumi:Stack::" in step["urn"]


STACK_TYPE = "pulumi:pulumi:Stack"


def by_urn(regs: list[Registered]) -> dict[str, tuple[Registered, str]]:
    """Registrations by the URN the engine gives them, with their parent's URN.

    The mocks name the stack and project `stack::project` and keep the Stack's type in the
    chain; the engine's URNs hold the parent's whole type chain without the Stack
    (`DataPlane$Postgres$PersistentVolumeClaim`). A parent is known by its type and name.
    """
    urn_of: dict[tuple[str, str], str] = {}
    chain_of: dict[tuple[str, str], str] = {}
    out: dict[str, tuple[Registered, str]] = {}
    for r in regs:
        parent_key = _key(r.parent) if r.parent else None
        if r.typ == STACK_TYPE or parent_key is None or parent_key[0] == STACK_TYPE:
            chain = r.typ
        else:
            chain = f"{chain_of[parent_key]}${r.typ}"
        urn = f"urn:pulumi:{STACK}::{PROJECT}::{chain}::{r.name}"
        urn_of[(r.typ, r.name)], chain_of[(r.typ, r.name)] = urn, chain
        if r.typ != STACK_TYPE:
            out[urn] = (r, urn_of.get(parent_key, "") if parent_key else "")
    return out


def _key(urn: str) -> tuple[str, str]:
    """(own type, name) of a mock URN."""
    parts = urn.split("::")
    return parts[2].split("$")[-1], "::".join(parts[3:])


def _set(value: Any, parts: list[str], new: Any) -> None:
    for part in parts[:-1]:
        value = value[int(part)] if isinstance(value, list) else value[part]
    last = parts[-1]
    if isinstance(value, list):
        value[int(last)] = new
    else:
        value[last] = new


def _ints(value: Any) -> Any:
    """Protobuf numbers are doubles; the engine prints whole numbers as integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return value


def inputs_of(r: Registered, show_secrets: bool) -> dict[str, Any]:
    inputs = _ints(copy.deepcopy(r.inputs))
    if not show_secrets:
        for path in r.secret_paths:
            _set(inputs, path.split("."), "[secret]")
    return inputs


def state_of(
    urn: str, r: Registered, parent: str, stack_urn: str, show_secrets: bool, old: bool
) -> dict[str, Any]:
    if Urn.parse(parent).type == STACK_TYPE:
        parent = stack_urn  # the real Stack's URN (named after the project and stack)
    state: dict[str, Any] = {"urn": urn, "custom": r.custom, "type": r.typ}
    if r.custom and old:
        state["id"] = f"{r.name}-id"
    inputs = inputs_of(r, show_secrets)
    state["inputs"] = inputs
    if old:
        state["outputs"] = copy.deepcopy(inputs)
    state["parent"] = parent
    if r.protect:
        state["protect"] = True
    if r.retain_on_delete:
        state["retainOnDelete"] = True
    if r.typ.startswith("kubernetes:"):
        state["provider"] = _k8s_provider()
    return state


def _k8s_provider() -> str:
    return (
        f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:kubernetes::kubernetes::"
        + K8S_PROVIDER_ID
    )


def forces_replace(typ: str, path: list[str | int]) -> bool:
    head = [str(p) for p in path[:2]]
    if typ == "random:index/randomPassword:RandomPassword":
        return True
    if head[:1] == ["metadata"] and len(head) > 1 and head[1] in ("name", "namespace"):
        return True
    if typ == "kubernetes:core/v1:PersistentVolumeClaim" and head[:1] == ["spec"]:
        return [str(p) for p in path[:3]] != ["spec", "resources", "requests"]
    if typ in ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"):
        return head == ["spec", "selector"] or head == ["spec", "volumeClaimTemplates"]
    if typ == "kubernetes:core/v1:Secret":
        return head == ["type"]
    return False


def diffs(old: Any, new: Any, prefix: list[str | int]) -> Iterator[tuple[list[str | int], str]]:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            if key not in new:
                yield [*prefix, key], "delete"
            elif key not in old:
                yield [*prefix, key], "add"
            else:
                yield from diffs(old[key], new[key], [*prefix, key])
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from diffs(a, b, [*prefix, i])
        return
    yield prefix, "update"


def step_for(op: str, urn: str, old: dict | None, new: dict | None, typ: str) -> dict[str, Any]:
    step: dict[str, Any] = {"op": op, "urn": urn}
    if typ.startswith("kubernetes:"):
        step["provider"] = _k8s_provider()
    if old is not None:
        step["oldState"] = old
    if new is not None:
        step["newState"] = new
    if op in ("update", "replace") and old and new:
        changed = list(diffs(old["inputs"], new["inputs"], []))
        detailed = {}
        reasons, replaces = [], []
        for path, kind in changed:
            forced = forces_replace(typ, path)
            detailed[format_path(path)] = {
                "kind": f"{kind}-replace" if forced else kind,
                "inputDiff": True,
            }
            top = str(path[0])
            if top not in reasons:
                reasons.append(top)
            if forced and top not in replaces:
                replaces.append(top)
        step["diffReasons"] = reasons
        if replaces:
            step["replaceReasons"] = replaces
        step["detailedDiff"] = detailed
    else:
        step["detailedDiff"] = None
    return step


def derive(name: str, scenario: dict[str, Any]) -> dict[str, Any]:
    base_name = scenario["base"]
    base = real(base_name)
    show = bool(scenario.get("show_secrets"))
    before = states_before(base_name)
    after = apply(before, base)
    old_regs = by_urn(registrations(base, before, {}))
    new_regs = by_urn(registrations(base, after, scenario["config"]))
    stack_urn = next(s["urn"] for s in base["steps"] if _is_stack(s))

    steps = [copy.deepcopy(s) for s in base["steps"]]
    summary = dict(base.get("changeSummary") or {})

    def count(op: str) -> None:
        summary[op] = summary.get(op, 0) + 1

    # Registration order varies from run to run (the program is async): URN order is stable.
    for urn in sorted(set(new_regs) | set(old_regs)):
        old_r, new_r = old_regs.get(urn), new_regs.get(urn)
        r = (new_r or old_r)[0]  # type: ignore[index]
        if r.typ == DYNAMIC:
            continue  # the real RevisionSync/registration steps are in `steps` already
        old_s = state_of(urn, *old_r, stack_urn, show, True) if old_r else None
        new_s = state_of(urn, *new_r, stack_urn, show, False) if new_r else None
        if old_s is None:
            steps.append(step_for("create", urn, None, new_s, r.typ))
            count("create")
        elif new_s is None:
            steps.append(step_for("delete", urn, old_s, None, r.typ))
            count("delete")
        elif old_s["inputs"] == new_s["inputs"]:
            count("same")
        else:
            changed = list(diffs(old_s["inputs"], new_s["inputs"], []))
            replace = any(forces_replace(r.typ, p) for p, _ in changed)
            op = "replace" if replace else "update"
            steps.append(step_for(op, urn, old_s, new_s, r.typ))
            count(op)
    if show:
        _show_secrets(base, steps)
    doc = {
        "config": _config(base, scenario["config"], show),
        "steps": steps,
        "duration": base.get("duration", 0),
        "changeSummary": dict(sorted(summary.items())),
    }
    return doc


def _config(base: dict[str, Any], overrides: dict[str, Any], show: bool) -> dict[str, str]:
    config = dict(base["config"])
    for key, value in overrides.items():
        config[f"{NAMESPACE}:{key}"] = json.dumps(value, separators=(",", ":"), sort_keys=True)
    if show:
        for key, value in DEV_SECRETS.items():
            config[f"{NAMESPACE}:{key}"] = value
    return dict(sorted(config.items()))


def _show_secrets(base: dict[str, Any], steps: list[dict[str, Any]]) -> None:
    """The real RevisionSync steps as a CLI honouring --show-secrets would print them."""
    for step in steps:
        for side in ("oldState", "newState"):
            state = step.get(side) or {}
            for part in ("inputs", "outputs"):
                props = state.get(part)
                if isinstance(props, dict) and props.get("secrets") == "[secret]":
                    props["secrets"] = SEEDED_SECRETS.get(props.get("deployment_name"), {})
            outputs = state.get("outputs") or {}
            if isinstance(outputs.get("secrets"), dict) and _is_stack(step):
                outputs["secrets"] = {n: SEEDED_SECRETS.get(n, {}) for n in outputs["secrets"]}


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=4, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare with the files")
    args = parser.parse_args()
    stale = []
    for name, scenario in SCENARIOS.items():
        text = render(derive(name, scenario))
        path = FIXTURES / f"{name}.json"
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.write_text(text)
            print(f"wrote {path.relative_to(REPO)}")
    if stale:
        print("stale: " + ", ".join(stale) + " (run derive_constructed.py)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
