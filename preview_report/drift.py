"""The drift check: `pulumi refresh --preview-only` and a preview of every stack, nightly.

    python -m preview_report.drift [options] [STACK ...]

Per stack, in its own Automation API workspace (`preview_report.workspaces`), one backend:
1. `pulumi refresh --preview-only` (`Stack.preview_refresh`): what differs between the real
   objects and the state, changed behind Pulumi's back. A stack without a cluster (it
   renders manifests) has nothing to read its Kubernetes objects from: its refresh covers
   the other resources (the control-plane syncs, the passwords) and the report says so.
2. `pulumi preview` of the program: the `RevisionSync` changes are the revisions shipped in
   the control plane that `pulumi up` has not rolled out (a refresh cannot see them: a
   sync's `read` re-reads the revision the state serves, the program asks for the active one).

Nothing is changed: both are previews. Exit status: 0 when no stack drifted; 1 when one
did or its check failed; 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from pulumi import automation as auto

from .analyze import analyze
from .drift_report import StackDrift, drifted_object, exit_code, render_drift
from .load import PreviewDocument
from .workspaces import (
    KUBECONFIG_ENV,
    Fleet,
    FleetSetupError,
    add_options,
    chosen_stacks,
    overrides_of,
    preview_json,
)

DEFAULT_JOBS = 2
KUBERNETES = "kubernetes:"


def renders(fleet: Fleet, stack: str) -> bool:
    """Whether the stack has no cluster to read: a dry run's render, or no kubeconfig in its
    file nor in `DATAPLANE_KUBECONFIG_<STACK>`."""
    if fleet.overrides.render_dir:
        return True
    if fleet.env(stack).get(KUBECONFIG_ENV):
        return False
    doc = yaml.safe_load(fleet.project.stack_file(stack).read_text()) or {}
    return not (doc.get("config") or {}).get("dataplane:kubeconfig")


def check_stack(fleet: Fleet, stack: str, lock: threading.Lock) -> StackDrift:
    try:
        with lock:
            handle, config_file = fleet.open(stack)
    except FleetSetupError as exc:
        return StackDrift(stack, analyze(PreviewDocument(stack, stack, None, str(exc))))
    drift = StackDrift(stack, analyze(PreviewDocument(stack, stack, None, "not previewed")))
    resources = (handle.export_stack().deployment or {}).get("resources") or []
    if not resources:
        drift.errors.append(f"stack {stack!r} has no resources: nothing was deployed to drift")
        return drift
    targets: list[str] | None = None
    drift.refreshed = "every resource"
    if renders(fleet, stack):
        targets = [
            r["urn"]
            for r in resources
            if not str(r.get("type", "")).startswith((KUBERNETES, "pulumi:providers:kubernetes"))
            and r.get("type") != "pulumi:pulumi:Stack"
        ]
        drift.refreshed = "the control plane and passwords (no cluster: Kubernetes objects unread)"
    events: list[auto.EngineEvent] = []
    errors: list[str] = []
    if targets is None or targets:
        try:
            handle.preview_refresh(
                target=targets,
                config_file=config_file,
                color="never",
                on_event=events.append,
                on_error=errors.append,
            )
        except auto.CommandError:
            drift.errors.append(
                "pulumi refresh --preview-only failed: "
                + (next((e for e in reversed(errors) if "error:" in e), "see the job log"))
            )
    for event in events:
        outputs = event.res_outputs_event
        if outputs is None:
            continue
        meta = outputs.metadata
        found = drifted_object(
            meta.op.value,
            meta.urn,
            meta.type,
            meta.old.outputs if meta.old else None,
            meta.new.outputs if meta.new else None,
        )
        if found:
            drift.drifted.append(found)
    doc, _, err = preview_json(handle, config_file)
    drift.preview = analyze(doc, err)
    return drift


def run_drift(fleet: Fleet, stacks: Sequence[str], *, jobs: int) -> list[StackDrift]:
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="drift") as pool:
        return list(pool.map(lambda s: check_stack(fleet, s, lock), stacks))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m preview_report.drift",
        description="Check every stack for drift: revisions shipped in the control plane but "
        "not rolled out, and objects changed behind Pulumi's back. Changes nothing.",
    )
    add_options(p, default_jobs=DEFAULT_JOBS)
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    project, stacks = chosen_stacks(p, args)
    with tempfile.TemporaryDirectory(prefix="drift-") as scratch:
        fleet = Fleet(project, args.backend, Path(scratch) / "config", overrides_of(args))
        results = run_drift(fleet, stacks, jobs=args.jobs)
    text = render_drift(results, title=args.title)
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    return exit_code(results)


if __name__ == "__main__":
    sys.exit(main())
