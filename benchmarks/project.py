"""The project folders the engine runs, as `pulumi preview` runs a project: the CLI starts the
`pulumi-language-python` host, which runs the folder's `__main__.py` in the project's
virtualenv.

- `dataplane`: this project's program (`components.program.main`; `components/` linked
  from the checkout), against the local control plane, rendering manifests (no cluster);
- `static`: the baseline, `static_dataplane.main`: the same Kubernetes objects by hand;
- `empty`: a program that declares nothing, the engine's floor.

Each `__main__.py` goes through `program_main.run`, which runs the program as it is, or
under cProfile when asked. Each stack renders into its own folder. Stack files of the data
plane are the dev stack's (secrets encrypted with the documented dev passphrase, which the
engine runs with), aimed at the local server and the benchmark's listener.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from devtools.engine import REPO

from .fixtures import COMPUTE_ID
from .static_dataplane import RENDER_KEY, RESOURCES_KEY, STATIC_PROJECT

PROGRAMS = ("dataplane", "static", "empty")
MAINS = {name: f"from benchmarks.program_main import run\n\nrun({name!r})\n" for name in PROGRAMS}
NAMES = {"dataplane": "langgraph-dataplane", "static": STATIC_PROJECT, "empty": "bench-empty"}
LINKED = ("components", "benchmarks")


def folder(root: Path, program: str) -> Path:
    return root / program


def write(root: Path, program: str) -> Path:
    """The project folder of `program` under `root` (idempotent)."""
    where = folder(root, program)
    (where / "stacks").mkdir(parents=True, exist_ok=True)
    project = {
        "name": NAMES[program],
        "runtime": {"name": "python", "options": {"virtualenv": str(REPO / ".venv")}},
        "stackConfigDir": "stacks",
    }
    (where / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    (where / "__main__.py").write_text(MAINS[program])
    for name in LINKED:  # the program and the provider host import from the folder
        link = where / name
        if not link.exists():
            link.symlink_to(REPO / name)
    return where


def stack_file(
    root: Path, program: str, stack: str, *, url: str, resources: Path | None = None
) -> None:
    """`stacks/Pulumi.<stack>.yaml` of `program`: rendering into `root/manifests/<stack>`."""
    render = str(root / "manifests" / stack)
    config: dict[str, Any] = {}
    if program == "dataplane":
        doc = yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())
        doc["config"]["dataplane:controlPlane"].update(url=url, listenerComputeId=COMPUTE_ID)
        doc["config"]["dataplane:renderDir"] = render
        config = doc
    elif program == "static":
        if resources is None:
            raise ValueError("the static program needs the recorded objects")
        config = {
            "config": {f"bench:{RESOURCES_KEY}": str(resources), f"bench:{RENDER_KEY}": render}
        }
    path = folder(root, program) / "stacks" / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(config or {"config": {}}))
