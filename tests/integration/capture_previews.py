"""Capture real `pulumi preview --json` documents for tests/preview_report/fixtures/.

Run once, from the repository root, with the whole engine built:

    .venv/bin/python tests/integration/capture_previews.py [--out tests/preview_report/fixtures]

The project's real program, the whole data plane: a copy of the project with the dev stack
(`DataplaneProject`), run by the real CLI through the `pulumi-language-python` host as
`pulumi up --stack dev` runs it, the project's dynamic providers, the kubernetes and random
plugins (manifests rendered to the copy's folder: no cluster), a `file://` backend and the
local control plane on loopback. Each scenario changes the control plane through its API or
the stack's config, then saves the CLI's stdout of `pulumi preview --diff --json` unchanged.

Scenarios, in order, on the `dev` stack:

  initial.json                  fresh stack: everything is created
  no-changes.json               after `up`: nothing changes
  new-revision.json             a revision with a new image shipped for agent-alpha
  new-revision-show-secrets.json  the same preview with `--show-secrets`
  database-replace.json         the same, and `dataplane:postgres.storageClass` set (undone after)
  database-replace-replacement-steps.json  the same preview with `--show-replacement-steps`
  scale-change.json             (after `up`) agent-beta's resource_spec PATCHed
  new-deployment.json           (after `up`) a deployment seeded by the admin API
  deployment-deleted.json       (after `up`) agent-beta deleted in the control plane
  deployment-recreated.json     agent-beta created again: a new id, so its sync is replaced
  failed-preview.json           agent-alpha pinned to a BUILD_FAILED revision: the preview fails
  deployment-deleted-protected.json  (a good revision shipped, the pin removed,
                                `dataplane:postgres.deletionProtection: true`, `up`) agent-beta
                                deleted again: the preview fails on its protected resources
  deployment-deleted-retained.json  the same after `pulumi state unprotect` of each of them

then on a second stack of the same project, `external-postgres` (the dev stack file with
`dataplane:postgres.mode: external` and a DSN per deployment in `externalPostgresUris`):

  deployment-deleted-external-postgres.json  (after `up`) agent-delta-0003 deleted

The CLI masks every secret in a JSON preview, `--show-secrets` or not, so documents with
plain secrets can only be constructed: for `database-replace` and `deployment-deleted` this
also writes `constructed-<name>-show-secrets.json`, the capture with each `[secret]` filled
in from the stack's decrypted state and config at that moment
(tests/preview_report/derive_constructed.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from pulumi import automation as auto  # noqa: E402

from components.controlplane import ControlPlaneClient  # noqa: E402
from local_controlplane.seed import (  # noqa: E402
    ALPHA_ID,
    BETA_ID,
    DEFAULT_API_KEY,
    DEV_LISTENER_ID,
    DEV_NAMESPACE,
)
from local_controlplane.testing import AdminClient, run_server  # noqa: E402
from tests.integration.dataplane_project import DataplaneProject  # noqa: E402
from tests.preview_report import derive_constructed  # noqa: E402

NEW_IMAGE = "registry.example.com/agents/alpha:2.0.0"
STORAGE_CLASS = "gp3-encrypted"
EXTERNAL = "external-postgres"  # the second stack's name
SERVED = ["agent-alpha", "agent-delta-0003"]  # by the time the second stack runs
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

    def preview(
        self, name: str, *flags: str, fails: bool = False, twin: bool = False
    ) -> dict[str, Any]:
        """Save the CLI's stdout of `pulumi preview --diff --json [flags]` as `<name>.json`;
        with `twin`, also its constructed twin with the secrets in plain text."""
        lines: list[str] = []
        stack = self.stack
        run = stack._run_pulumi_cmd_sync
        if flags:
            # The Automation API's preview() has no show_secrets or show_replacement_steps.
            def run_with_flags(args: list[str], *rest: Any, **kw: Any) -> Any:
                return run([*args, *flags], *rest, **kw)

            stack._run_pulumi_cmd_sync = run_with_flags  # type: ignore[method-assign]
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
        doc = json.loads(text)  # it must be one JSON document
        (self.out / f"{name}.json").write_text(text if text.endswith("\n") else text + "\n")
        print(f"captured {name}.json", flush=True)
        if twin:
            state = stack.export_stack().deployment or {}  # decrypted (--show-secrets)
            config = {k: v.value for k, v in stack.get_all_config().items()}  # decrypted
            plain = derive_constructed.unmask(doc, state, config)
            twin_name = derive_constructed.twin_of(name)
            (self.out / f"{twin_name}.json").write_text(derive_constructed.render(plain))
            print(f"constructed {twin_name}.json", flush=True)
        return doc

    def up(self) -> None:
        result = self.stack.up(color="never", on_output=self.project.record)
        assert result.summary.result == "succeeded", result.summary
        print(f"up ({self.stack.name}): {result.summary.resource_changes}", flush=True)

    def unprotect(self, urns: list[str]) -> None:
        """`pulumi state unprotect <urn>`, as the CLI's error tells the user to run."""
        for urn in urns:
            self.stack._run_pulumi_cmd_sync(["state", "unprotect", urn, "--yes"])
        print(f"unprotected {len(urns)} resources", flush=True)


def protected_urns(stack: auto.Stack, deployment: str) -> list[str]:
    """The protected resources of `deployment`'s data plane, from the stack's state."""
    resources = (stack.export_stack().deployment or {}).get("resources", [])
    urns = [r["urn"] for r in resources if r.get("protect") and f"-{deployment}-" in r["urn"]]
    assert urns, f"nothing of {deployment} is protected"
    return urns


def external_postgres_stack(project: DataplaneProject, name: str) -> auto.Stack:
    """A second stack of the copy: the dev stack file (as created) with Postgres external."""
    stacks = project.root / "stacks"
    settings = yaml.safe_load((stacks / "Pulumi.dev.yaml").read_text())
    settings["config"]["dataplane:postgres"] = {"mode": "external", "deletionProtection": False}
    settings["config"]["dataplane:renderDir"] = str(project.root / f"manifests-{name}")
    (stacks / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(settings))
    return project.stack(name=name)


def capture(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="capture-previews-") as tmp:
        root = Path(tmp)
        with run_server(root / "controlplane.json") as url:
            project = DataplaneProject.create(root / "project", url)
            # No program: the language host runs the copy's __main__.py.
            cap = Capture(project, project.stack(), out)
            external = Capture(project, external_postgres_stack(project, EXTERNAL), out)
            client = ControlPlaneClient(DEFAULT_API_KEY, base_url=url)
            admin = AdminClient(url)

            cap.preview("initial")
            cap.up()
            cap.preview("no-changes")

            client.create_revision(ALPHA_ID, {"source_revision_config": {"image_uri": NEW_IMAGE}})
            cap.preview("new-revision")
            cap.preview("new-revision-show-secrets", "--show-secrets")
            # A pull request that also sets a StorageClass for the dev stack's Postgres
            # (deletionProtection: false): the data volumes cannot change class in place.
            storage_class = "dataplane:postgres.storageClass"
            cap.stack.set_config(storage_class, auto.ConfigValue(STORAGE_CLASS), path=True)
            cap.preview("database-replace", twin=True)
            cap.preview("database-replace-replacement-steps", "--show-replacement-steps")
            cap.stack.remove_config(storage_class, path=True)
            cap.up()

            client.patch_deployment(BETA_ID, {"source_config": {"resource_spec": BETA_SPEC}})
            cap.preview("scale-change")
            cap.up()

            (delta,) = admin.seed(1, name_prefix="agent-delta", listener_id=DEV_LISTENER_ID)
            cap.preview("new-deployment")
            cap.up()

            client.delete_deployment(BETA_ID)
            client.wait_until_deleted(BETA_ID, timeout=60, poll_interval=0.5)
            cap.preview("deployment-deleted", twin=True)

            beta_again = client.create_deployment(
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
            ).id
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

            # The production default: the database guarded (protect, retainOnDelete).
            cap.stack.remove_config("dataplane:deployments")
            client.create_revision(ALPHA_ID, {"source_revision_config": {"image_uri": NEW_IMAGE}})
            protection = "dataplane:postgres.deletionProtection"
            cap.stack.set_config(protection, auto.ConfigValue("true"), path=True)
            cap.up()
            client.delete_deployment(beta_again)
            client.wait_until_deleted(beta_again, timeout=60, poll_interval=0.5)
            cap.preview("deployment-deleted-protected", fails=True)
            # What the errors say to do (they name a few at a time): unprotect them all.
            # The volume and the password Secret stay retained (retainOnDelete).
            cap.unprotect(protected_urns(cap.stack, "agent-beta"))
            cap.preview("deployment-deleted-retained")

            # Another stack on the same control plane, its Postgres external (DSNs in config).
            uris = {d: f"postgres://app:local-fake-dsn-password@db.example.com/{d}" for d in SERVED}
            external.stack.set_config(
                "dataplane:externalPostgresUris",
                auto.ConfigValue(json.dumps(uris), secret=True),
            )
            external.up()
            client.delete_deployment(delta)
            client.wait_until_deleted(delta, timeout=60, poll_interval=0.5)
            external.preview("deployment-deleted-external-postgres")

            client.close()
            admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "tests/preview_report/fixtures")
    capture(parser.parse_args().out)


if __name__ == "__main__":
    main()
