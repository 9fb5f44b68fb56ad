"""Capture real `pulumi preview --json` documents for tests/preview_report/fixtures/.

Run once, from the repository root, with the toolchain built (the CLI is enough):

    .venv/bin/python tests/integration/capture_previews.py [--out tests/preview_report/fixtures]

It drives the project's own engine exactly as tests/integration/test_sync_engine.py does:
the dev stack in a temporary folder (`DataplaneProject`), the control-plane half of the
program run inline (`sync_program`: config, discovery, listener registration, one
`RevisionSync` per served deployment), the real CLI, a `file://` backend and the local
control plane on loopback. Each scenario changes the control plane through its API, then
saves the CLI's stdout of `pulumi preview --diff --json` unchanged. The Kubernetes and
random plugins cannot be built here, so no scenario has Kubernetes resources in it.

Scenarios, in order, on one stack (`dev`):

  initial.json                  fresh stack: everything is created
  no-changes.json               after `up`: nothing changes
  new-revision.json             a revision with a new image shipped for agent-alpha
  new-revision-show-secrets.json  the same preview with `--show-secrets`
  scale-change.json             (after `up`) agent-beta's resource_spec PATCHed
  new-deployment.json           (after `up`) a deployment seeded by the admin API
  deployment-deleted.json       (after `up`) agent-beta deleted in the control plane
  deployment-recreated.json     agent-beta created again: a new id, so its sync is replaced
  failed-preview.json           agent-alpha pinned to a BUILD_FAILED revision: the preview fails
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(REPO), str(HERE)]

from dataplane_project import DataplaneProject  # noqa: E402
from pulumi import automation as auto  # noqa: E402
from test_sync_engine import sync_program  # noqa: E402

from components.controlplane import ControlPlaneClient  # noqa: E402
from local_controlplane.seed import (  # noqa: E402
    ALPHA_ID,
    BETA_ID,
    DEFAULT_API_KEY,
    DEV_LISTENER_ID,
    DEV_NAMESPACE,
)
from local_controlplane.testing import AdminClient, run_server  # noqa: E402

NEW_IMAGE = "registry.example.com/agents/alpha:2.0.0"
BETA_SPEC = {
    "min_scale": 2,
    "max_scale": 5,
    "cpu": 2,
    "cpu_limit": 4,
    "memory_mb": 4096,
    "memory_limit_mb": 8192,
    "queue_min_scale": 2,
    "queue_max_scale": 6,
    "redis_memory_mb": 1024,
    "annotations": {"example.com/owner": "platform-team"},
}


class Capture:
    def __init__(self, project: DataplaneProject, stack: auto.Stack, out: Path) -> None:
        self.project, self.stack, self.out = project, stack, out

    def preview(self, name: str, *, show_secrets: bool = False, fails: bool = False) -> None:
        """Save the CLI's stdout of `pulumi preview --diff --json` as `<name>.json`."""
        lines: list[str] = []
        stack = self.stack
        run = stack._run_pulumi_cmd_sync
        if show_secrets:
            # The Automation API's preview() has no show_secrets: add the CLI flag.
            def run_showing(args: list[str], *rest: Any, **kw: Any) -> Any:
                return run([*args, "--show-secrets"], *rest, **kw)

            stack._run_pulumi_cmd_sync = run_showing  # type: ignore[method-assign]
        try:
            result = stack.preview(diff=True, json=True, color="never", on_output=lines.append)
            text = result.stdout
            assert not fails, f"{name}: the preview was expected to fail"
        except auto.CommandError:
            if not fails:
                raise
            text = "\n".join(lines)
        finally:
            stack._run_pulumi_cmd_sync = run  # type: ignore[method-assign]
        json.loads(text)  # it must be one JSON document
        (self.out / f"{name}.json").write_text(text if text.endswith("\n") else text + "\n")
        print(f"captured {name}.json", flush=True)

    def up(self) -> None:
        result = self.stack.up(color="never", on_output=self.project.record)
        assert result.summary.result == "succeeded", result.summary
        print("up: succeeded", flush=True)


def capture(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="capture-previews-") as tmp:
        root = Path(tmp)
        with run_server(root / "controlplane.json") as url:
            project = DataplaneProject.create(root / "project", url)
            cap = Capture(project, project.stack(sync_program), out)
            client = ControlPlaneClient(DEFAULT_API_KEY, base_url=url)
            admin = AdminClient(url)

            cap.preview("initial")
            cap.up()
            cap.preview("no-changes")

            client.create_revision(ALPHA_ID, {"source_revision_config": {"image_uri": NEW_IMAGE}})
            cap.preview("new-revision")
            cap.preview("new-revision-show-secrets", show_secrets=True)
            cap.up()

            client.patch_deployment(BETA_ID, {"source_config": {"resource_spec": BETA_SPEC}})
            cap.preview("scale-change")
            cap.up()

            admin.seed(1, name_prefix="agent-delta", listener_id=DEV_LISTENER_ID)
            cap.preview("new-deployment")
            cap.up()

            client.delete_deployment(BETA_ID)
            client.wait_until_deleted(BETA_ID, timeout=60, poll_interval=0.5)
            cap.preview("deployment-deleted")

            client.create_deployment(
                {
                    "name": "agent-beta",
                    "source": "external_docker",
                    "source_config": {
                        "listener_id": DEV_LISTENER_ID,
                        "listener_config": {"k8s_namespace": DEV_NAMESPACE},
                        "resource_spec": BETA_SPEC,
                    },
                    "source_revision_config": {
                        "image_uri": "docker.io/langchain/langgraph-api:0.4.21-py3.12"
                    },
                    "secrets": [
                        {
                            "name": "OPENAI_API_KEY",
                            "value": "sk-local-fake-openai-key-beta-not-real",
                        }
                    ],
                }
            )
            cap.preview("deployment-recreated")

            bad = client.create_revision(
                ALPHA_ID, {"source_revision_config": {"image_uri": "registry.example.com/bad:1"}}
            ).id
            admin.set_revision_status(ALPHA_ID, bad, "BUILD_FAILED")
            cap.stack.set_config(
                "dataplane:deployments",
                auto.ConfigValue(json.dumps({"agent-alpha": {"revision": bad}})),
            )
            cap.preview("failed-preview", fails=True)

            client.close()
            admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "tests/preview_report/fixtures")
    capture(parser.parse_args().out)


if __name__ == "__main__":
    main()
