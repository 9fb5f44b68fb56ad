"""The baseline of the full data plane: the same Kubernetes objects, declared by hand.

`record` runs the real program (`components.program.main`) under the project's mocks for a
stack config and keeps every object it declares with a provider of its own: each Kubernetes
object and RandomPassword, with its type, name, inputs, the input paths that are secret, and
`protect` / `retain_on_delete`. What it leaves out is what the baseline has none of: the
components (`langgraph:dataplane:*`), the control-plane resources (`RevisionSync`,
`ListenerRegistration`: dynamic), and the stack itself.

`main` is the baseline's whole program, as a user would write it without our package: one
Kubernetes provider (rendering, like the data plane's), then each recorded object through
the typed SDK class (`pulumi_kubernetes.apps.v1.Deployment(name, metadata=..., spec=...)`),
flat, with literal inputs. No control plane, no component, no discovery, no config model.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

STATIC_PROJECT = "langgraph-dataplane-static"
RESOURCES_KEY = "resources"
"""`bench:resources`: the path of the recorded objects (JSON)."""
RENDER_KEY = "renderDir"
"""`bench:renderDir`: where the Kubernetes provider renders manifests."""
_OWN_PROVIDER = ("kubernetes:", "random:")


def record(config: dict[str, str], secret_keys: list[str]) -> list[dict[str, Any]]:
    """The objects the real program declares for `config` (Pulumi config, JSON values)."""
    from devtools.mocks import DataplaneMocks
    from devtools.recording import mocked_main, run_program

    from .static_providers import STATIC_IMAGE

    run = run_program(
        mocked_main,
        config=config,
        secret_keys=secret_keys,
        mocks=DataplaneMocks(image=STATIC_IMAGE),
    )
    objects = [
        {
            "type": r.typ,
            "name": r.name,
            "inputs": r.inputs,
            "secret": sorted({path.split(".")[0] for path in r.secret_paths}),
            "protect": r.protect,
            "retain_on_delete": r.retain_on_delete,
        }
        for r in run.resources
        if r.custom and r.typ.startswith(_OWN_PROVIDER)
    ]
    names = [o["name"] for o in objects]
    if len(set(names)) != len(names):  # flat, the names must be unique on their own
        raise RuntimeError("the data plane declares two objects of the same name")
    return objects


def loaded_k8s_modules() -> list[str]:
    """The API groups of pulumi_kubernetes loaded so far (they load lazily, at first use)."""
    import sys

    return sorted(
        name
        for name, module in sys.modules.items()
        if name.startswith("pulumi_kubernetes") and type(module).__name__ != "_LazyModule"
    )


def cli(argv: list[str] | None = None) -> None:
    """`python -m benchmarks.static_dataplane --url URL --out FILE`: record the objects the
    data plane declares against the control plane at URL (its benchmark stack config), in a
    process of its own, with the pulumi_kubernetes modules that took."""
    import argparse

    from .fixtures import pulumi_config

    parser = argparse.ArgumentParser(description=cli.__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    objects = record(*pulumi_config(args.url))
    recorded = {"objects": objects, "k8s_modules": loaded_k8s_modules()}
    Path(args.out).write_text(json.dumps(recorded))


def sdk_class(type_token: str) -> Any:
    """The SDK class of a type token: `kubernetes:apps/v1:Deployment` ->
    `pulumi_kubernetes.apps.v1.Deployment`, `random:index/randomPassword:RandomPassword` ->
    `pulumi_random.RandomPassword`."""
    package, module, name = type_token.split(":")
    if package == "random":
        return getattr(importlib.import_module("pulumi_random"), name)
    group, version = module.split("/")
    group = group.split(".")[0]  # networking.k8s.io -> networking
    return getattr(importlib.import_module(f"pulumi_kubernetes.{group}.{version}"), name)


def snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def declare(objects: list[dict[str, Any]], render_dir: str) -> int:
    """Declare `objects` as a hand-written program would; returns how many."""
    import pulumi
    import pulumi_kubernetes as k8s

    provider = k8s.Provider(
        "kubernetes", enable_secret_mutable=True, render_yaml_to_directory=render_dir
    )
    for obj in objects:
        args = {
            snake(k): pulumi.Output.secret(v) if k in obj["secret"] else v
            for k, v in obj["inputs"].items()
            if k not in ("apiVersion", "kind")
        }
        opts = pulumi.ResourceOptions(
            provider=provider if obj["type"].startswith("kubernetes:") else None,
            protect=obj["protect"],
            retain_on_delete=obj["retain_on_delete"],
        )
        sdk_class(obj["type"])(obj["name"], opts, **args)
    return len(objects)


def main() -> None:
    """The baseline program (its project's `__main__.py` calls this)."""
    import pulumi

    config = pulumi.Config("bench")
    recorded = json.loads(Path(config.require(RESOURCES_KEY)).read_text())
    declare(recorded["objects"], config.require(RENDER_KEY))


if __name__ == "__main__":
    cli()
