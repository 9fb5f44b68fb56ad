"""The component package from TypeScript and YAML, through the real engine, in render mode.

- `examples/typescript-standalone` and `examples/yaml-standalone` deploy the standalone
  example stack's settings and render the very objects the Python program renders for
  `stacks/Pulumi.standalone-example.yaml`;
- `examples/typescript-synced` follows the local control plane: a new revision there shows
  as `image: old => new` in its `pulumi preview --diff`, and `up` rolls it out;
- a YAML program in listener mode renders the operator and registers the listener;
- a bad input gets the stack file's own messages (key path and `Fix:`), and nothing is made.

No program here sets `PULUMI_RUNTIME_VIRTUALENV`: the package serves its control-plane
resources itself.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config import ConfigError, parse_stack_config
from components.controlplane import ControlPlaneClient
from components.core.names import (
    PACKAGE_LISTENER_REGISTRATION_TOKEN,
    PACKAGE_REVISION_SYNC_TOKEN,
)
from components.program import main
from components.spec.args import OPERATOR_CHART, OPERATOR_CHART_VERSION
from local_controlplane.seed import DEFAULT_API_KEY
from local_controlplane.testing import run_server
from tests.integration.dataplane_project import DataplaneProject, manifests
from tests.package.package_programs import PACKAGE, Program

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
CHART = REPO.parent / "shared" / "charts" / f"{OPERATOR_CHART}-{OPERATOR_CHART_VERSION}.tgz"
EXAMPLE = "standalone-example"
EXAMPLE_PASSPHRASE = "standalone-example-passphrase"  # documented in the stack file
# The example stack file's secrets (encrypted there), given to the other languages as config.
API_KEY = "lsv2_pt_example_0000000000000000000000_00000000"
LICENSE_KEY = "lgp-example-licence-key"
OPENAI_KEY = "sk-example-not-a-real-key"
SECRETS = (API_KEY, LICENSE_KEY, OPENAI_KEY)
# What may differ between the languages' renderings, and why:
# - each stack generates its own Postgres and Redis passwords (RandomPassword), and these
#   pod-template annotations are digests of the Secrets that hold them;
# - the order of an Ingress's paths, one per deployment: a TypeScript object or a YAML map
#   reaches the package's provider as a protobuf map, without its key order, so the package
#   takes deployments by name, where a stack file keeps the order it was written in.
# Nothing else differs, not even a name.
GENERATED_PASSWORD = "<generated password>"
DIGEST_ANNOTATIONS = ("langgraph.ai/platform-env-digest", "langgraph.ai/secrets-digest")


def _passwords(docs: list[dict[str, Any]]) -> set[str]:
    found = set()
    for doc in docs:
        if doc["kind"] == "Secret":
            for key, value in _secret_values(doc).items():
                if key.endswith("PASSWORD"):
                    found.add(value)
    return found


def _secret_values(doc: dict[str, Any]) -> dict[str, str]:
    values = dict(doc.get("stringData") or {})
    values.update({k: base64.b64decode(v).decode() for k, v in (doc.get("data") or {}).items()})
    return values


def comparable(docs: list[dict[str, Any]]) -> dict[tuple[str, str, str], Any]:
    """The rendered objects by kind, namespace and name, with the generated passwords and
    the digests of the Secrets holding them masked (the one difference allowed)."""
    passwords = _passwords(docs)
    found = {}
    for doc in copy.deepcopy(docs):
        meta = doc["metadata"]
        if doc["kind"] == "Secret":
            values = _secret_values(doc)
            for password in passwords:
                values = {k: v.replace(password, GENERATED_PASSWORD) for k, v in values.items()}
            doc.pop("data", None)
            doc["stringData"] = values
        if doc["kind"] == "Ingress":
            for rule in doc["spec"]["rules"]:
                rule["http"]["paths"].sort(key=lambda p: p["path"])
        template = doc.get("spec", {}).get("template", {}).get("metadata", {})
        for key in DIGEST_ANNOTATIONS:
            if key in template.get("annotations", {}):
                template["annotations"][key] = "<digest>"
        found[(doc["kind"], meta.get("namespace", ""), meta["name"])] = doc
    return found


@pytest.fixture(scope="module")
def python_rendering(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], Any]:
    """The Python program's objects for the standalone example stack file, as it is."""
    root = tmp_path_factory.mktemp("python") / "project"
    project = DataplaneProject.create(root, "http://127.0.0.1:9")  # never asked: standalone
    stack_file = yaml.safe_load((REPO / "stacks" / f"Pulumi.{EXAMPLE}.yaml").read_text())
    stack_file["config"]["dataplane:renderDir"] = str(project.manifests)
    (root / "stacks" / f"Pulumi.{EXAMPLE}.yaml").write_text(yaml.safe_dump(stack_file))
    stack = project.engine.stack(
        root, root / "state", main, name=EXAMPLE, passphrase=EXAMPLE_PASSPHRASE
    )
    up = stack.up(on_output=project.record, color="never")
    assert up.summary.result == "succeeded", "\n".join(project.output[-40:])
    return comparable(manifests(project.manifests))


def _standalone(program: Program, rendered: Path) -> dict[str, Any]:
    program.set_config("apiKey", API_KEY, secret=True)
    program.set_config("licenseKey", LICENSE_KEY, secret=True)
    program.set_config("openaiApiKey", OPENAI_KEY, secret=True)
    program.set_config("renderDir", str(rendered))
    return program.up()


def _same_objects(
    ours: dict[tuple[str, str, str], Any], python: dict[tuple[str, str, str], Any]
) -> None:
    assert sorted(ours) == sorted(python)
    differ = [key for key in python if ours[key] != python[key]]
    assert not differ, f"{len(differ)} objects differ from the Python program's, first {differ[0]}"


def _no_secret_in_state_or_output(program: Program) -> None:
    for where, text in (
        ("stored state", program.stored_state_text()),
        ("CLI output", "\n".join(program.output)),
    ):
        leaked = [s for s in SECRETS if s in text]
        assert not leaked, f"{len(leaked)} secret values in plain text in the {where}"


def test_typescript_renders_what_the_python_program_renders(
    tmp_path: Path, python_rendering: dict[tuple[str, str, str], Any]
) -> None:
    program = Program.from_example("typescript-standalone", tmp_path)
    program.install()
    outputs = _standalone(program, tmp_path / "manifests")
    assert set(outputs["revisions"]) == {"support-agent", "research-agent"}
    assert outputs["manifestsDir"] == str(tmp_path / "manifests")
    _same_objects(comparable(manifests(tmp_path / "manifests")), python_rendering)
    types = program.resource_types()
    assert "pulumi-python:dynamic:Resource" not in types
    assert PACKAGE_REVISION_SYNC_TOKEN not in types  # standalone: nothing synced
    # A second run has nothing to do, and no key is in the state or the output.
    again = program.preview()
    assert "to create" not in again.stdout and "to update" not in again.stdout
    _no_secret_in_state_or_output(program)

    # A bad input, typed in TypeScript, gets the stack file's messages.
    source = (program.root / "index.ts").read_text()
    bad = source.replace('names: ["agents"]', 'names: ["Agents_1"]').replace(
        "jobsPerWorker: 10", "jobsPerWorker: 0"
    )
    assert bad != source
    (program.root / "index.ts").write_text(bad)
    with pytest.raises(ConfigError) as expected:
        parse_stack_config(
            {
                "licenseKey": LICENSE_KEY,
                "namespaces": {"names": ["Agents_1"]},
                "servers": {"jobsPerWorker": 0},
                "deployments": {"a": {"static": {"image": "registry.example.com/a:1.0.0"}}},
            },
            ["licenseKey"],
        )
    assert len(expected.value.problems) == 2
    refused = program.preview(check=False)
    assert refused.returncode != 0
    for problem in expected.value.problems:
        assert problem in refused.stdout + refused.stderr, problem
    assert "Traceback" not in refused.stdout + refused.stderr


def test_yaml_renders_what_the_python_program_renders(
    tmp_path: Path, python_rendering: dict[tuple[str, str, str], Any]
) -> None:
    program = Program.from_example("yaml-standalone", tmp_path)
    # Added the way a team adds it to its own program: `pulumi package add <path>`.
    project_file = program.root / "Pulumi.yaml"
    project = yaml.safe_load(project_file.read_text())
    del project["packages"]
    project_file.write_text(yaml.safe_dump(project, sort_keys=False))
    program.cli("package", "add", str(PACKAGE))
    assert yaml.safe_load(project_file.read_text())["packages"]["langgraph"] == str(PACKAGE)
    outputs = _standalone(program, tmp_path / "manifests")
    assert outputs["namespace"] == "agents"
    _same_objects(comparable(manifests(tmp_path / "manifests")), python_rendering)
    _no_secret_in_state_or_output(program)


@pytest.fixture
def controlplane(tmp_path: Path) -> Iterator[str]:
    with run_server(tmp_path / "controlplane.json") as url:
        yield url


def test_the_synced_typescript_example_rolls_out_a_new_revision(
    tmp_path: Path, controlplane: str
) -> None:
    program = Program.from_example("typescript-synced", tmp_path)
    program.install()
    program.set_config("apiKey", DEFAULT_API_KEY, secret=True)
    program.set_config("licenseKey", LICENSE_KEY, secret=True)
    program.set_config("controlPlaneUrl", controlplane)
    program.set_config("renderDir", str(tmp_path / "manifests"))
    first = program.up()
    old = first["revisions"]["agent-alpha"]["image"]
    assert first["listenerId"]
    types = program.resource_types()
    assert types.count(PACKAGE_REVISION_SYNC_TOKEN) == len(first["revisions"])
    assert PACKAGE_LISTENER_REGISTRATION_TOKEN in types
    assert "pulumi-python:dynamic:Resource" not in types

    new = "registry.example.com/agents/alpha:2.0.0"
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as client:
        (alpha,) = [d for d in client.list_deployments() if d.name == "agent-alpha"]
        client.create_revision(alpha.id, {"source_revision_config": {"image_uri": new}})
    preview = program.preview()
    assert f'image             : "{old}" => "{new}"' in preview.stdout  # the RevisionSync
    assert f'image: "{old}" => "{new}"' in preview.stdout  # the server Deployments
    rolled = program.up()
    assert rolled["revisions"]["agent-alpha"]["image"] == new
    (api,) = [
        d
        for d in manifests(tmp_path / "manifests")
        if d["kind"] == "Deployment" and d["metadata"]["name"] == "agent-alpha-api"
    ]
    assert api["spec"]["template"]["spec"]["containers"][0]["image"] == new
    # The revision's secrets stay secret outputs; no key reaches the state in plain text.
    state = program.stored_state_text()
    assert DEFAULT_API_KEY not in state and LICENSE_KEY not in state
    assert "OPENAI_API_KEY" in state  # by name only


def test_a_yaml_listener_stack_runs_the_operator_and_registers_the_listener(
    tmp_path: Path, controlplane: str
) -> None:
    program = Program.yaml_program(
        "yaml-listener",
        tmp_path,
        {
            "listener": {
                "type": "langgraph:index:DataPlane",
                "properties": {
                    "controlPlane": {"url": controlplane, "listenerComputeId": "dev-cluster"},
                    "apiKey": {"fn::secret": DEFAULT_API_KEY},
                    "licenseKey": {"fn::secret": LICENSE_KEY},
                    "reconciler": "listener",
                    "namespaces": {"names": ["langgraph"]},
                    "operator": {"chart": {"path": str(CHART)}},
                    "renderDir": str(tmp_path / "manifests"),
                },
            }
        },
    )
    program.up()
    kinds = {(d["kind"], d["metadata"]["name"]) for d in manifests(tmp_path / "manifests")}
    assert ("CustomResourceDefinition", "lgps.apps.langchain.ai") in kinds
    assert ("Deployment", "langgraph-dataplane-operator") in kinds
    assert ("Deployment", "dataplane-listener") in kinds
    types = program.resource_types()
    assert PACKAGE_LISTENER_REGISTRATION_TOKEN in types
    assert PACKAGE_REVISION_SYNC_TOKEN not in types  # the listener rolls revisions out
    assert DEFAULT_API_KEY not in program.stored_state_text()


def test_a_bad_input_gets_the_stack_files_messages_and_makes_nothing(tmp_path: Path) -> None:
    bad: dict[str, Any] = {
        "licenseKey": LICENSE_KEY,
        "namespaces": {"names": ["Agents_1"]},
        "servers": {"jobsPerWorker": 0},
        "deployments": {"support-agent": {"static": {"image": "support:latest"}}},
        "renderDir": str(tmp_path / "manifests"),
    }
    with pytest.raises(ConfigError) as expected:
        parse_stack_config(bad, secret_keys=["licenseKey"])
    properties = {**bad, "licenseKey": {"fn::secret": LICENSE_KEY}}
    program = Program.yaml_program(
        "yaml-bad",
        tmp_path,
        {"bad": {"type": "langgraph:index:DataPlane", "properties": properties}},
    )
    done = program.preview(check=False)
    assert done.returncode != 0
    shown = done.stdout + done.stderr
    for problem in expected.value.problems:
        assert problem in shown, f"missing from the CLI's output: {problem}"
    assert "Traceback" not in shown and 'File "' not in shown
    assert not (tmp_path / "manifests").exists()


def test_secrets_stay_secret_across_the_boundary(tmp_path: Path) -> None:
    # The keys written plainly (the schema makes them secret inputs), and a namespace passed
    # as a secret: its outputs stay secret too.
    program = Program.yaml_program(
        "yaml-secrets",
        tmp_path,
        {
            "dp": {
                "type": "langgraph:index:DataPlane",
                "properties": {
                    "apiKey": API_KEY,
                    "licenseKey": LICENSE_KEY,
                    "namespaces": {"names": [{"fn::secret": "agents"}]},
                    "deployments": {
                        "a": {
                            "static": {
                                "image": "registry.example.com/a:1.0.0",
                                "secrets": {"OPENAI_API_KEY": OPENAI_KEY},
                            }
                        }
                    },
                    "renderDir": str(tmp_path / "manifests"),
                },
            }
        },
    )
    project = yaml.safe_load((program.root / "Pulumi.yaml").read_text())
    project["outputs"] = {"namespace": "${dp.namespace}", "serverUrls": "${dp.serverUrls}"}
    (program.root / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    program.up()
    shown = json.loads(program.cli("stack", "output", "--json").stdout)
    assert shown == {"namespace": "[secret]", "serverUrls": "[secret]"}
    _no_secret_in_state_or_output(program)
