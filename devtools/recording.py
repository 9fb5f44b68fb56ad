"""Run Pulumi programs under the project's mocks and record every registration, as the engine
sees it: type, name, inputs (with which paths are secret) and resource options.

The unit tests read this through tests/unit/harness.py; `devtools.registrations` snapshots
whole stacks with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from .mocks import DataplaneMocks

SECRET_SIG = rpc._special_secret_sig
SIG_KEY = rpc._special_sig_key

# Request fields that say where or how the SDK registered, not what: source positions move
# with the code, and the rest are capability flags or per-run tokens.
_NOT_OPTIONS = frozenset(
    {
        "type",
        "name",
        "parent",
        "custom",
        "object",
        "protect",
        "retainOnDelete",
        "sourcePosition",
        "stackTrace",
        "parentStackTraceHandle",
        "acceptSecrets",
        "acceptResources",
        "supportsPartialValues",
        "supportsResultReporting",
        "packageRef",
        "hooks",
    }
)


@dataclass
class Registered:
    """One resource registration: its inputs, options and which input paths are secret."""

    typ: str
    name: str
    custom: bool
    parent: str
    protect: bool
    retain_on_delete: bool
    inputs: dict[str, Any]
    secret_paths: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    """The other resource options as sent (dependencies, provider, aliases, ...), lists of
    URNs sorted."""

    def get(self, path: str) -> Any:
        """Read a dotted path of the inputs, with numeric parts as list indexes."""
        value: Any = self.inputs
        for part in path.split("."):
            value = value[int(part)] if isinstance(value, list) else value[part]
        return value


# What the SDK's mocks call the stack and project when nothing else is set.
MOCK_STACK, MOCK_PROJECT = "stack", "project"
CALLBACKS_TARGET = "mock-callbacks"


class RecordingCallbacks:
    """Stands in for the SDK's callback server, which the mocks lack: a resource's
    `transforms` are recorded by name (its options then show `module.function`), and kept
    so that a test can call them on what the engine would hand over."""

    def __init__(self) -> None:
        self.transforms: dict[str, Any] = {}

    def register_transform(self, transform: Any) -> Any:
        from pulumi.runtime.proto import callback_pb2

        token = f"{transform.__module__}.{transform.__qualname__}"
        self.transforms[token] = transform
        return callback_pb2.Callback(target=CALLBACKS_TARGET, token=token)


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that appends every registration to `sink` before answering it."""

    def __init__(self, mocks: pulumi.runtime.Mocks, sink: list[Registered]):
        super().__init__(mocks)
        self.sink = sink

    def RegisterResource(self, request: Any) -> Any:
        raw = json_format.MessageToDict(request.object, preserving_proto_field_name=True)
        self.sink.append(
            Registered(
                typ=request.type,
                name=request.name,
                custom=request.custom,
                parent=request.parent,
                protect=request.protect,
                retain_on_delete=request.retainOnDelete,
                inputs=_unwrap(raw),
                secret_paths=sorted(_secret_paths(raw, "")),
                options=_options(request),
            )
        )
        return super().RegisterResource(request)

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs under a fixed `stack::project`. The SDK's own reads the ambient project
        and stack, context variables that an inline Automation API run earlier in the
        same process leaves set (the integration tests): snapshots must not depend on it."""
        if parent:
            type_ = f"{parent.split('::')[2].split('$')[-1]}${type_}"
        return f"urn:pulumi:{MOCK_STACK}::{MOCK_PROJECT}::{type_}::{name}"


def _options(request: Any) -> dict[str, Any]:
    sent = json_format.MessageToDict(request)
    options = {k: v for k, v in sent.items() if k not in _NOT_OPTIONS}
    # URNs arrive in the order their Outputs resolved; the set is what counts.
    if "dependencies" in options:
        options["dependencies"] = sorted(options["dependencies"])
    for prop, deps in (options.get("propertyDependencies") or {}).items():
        options["propertyDependencies"][prop] = {"urns": sorted(deps.get("urns") or [])}
    return options


def _secret_paths(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            yield path
            return
        for k, v in value.items():
            yield from _secret_paths(v, f"{path}.{k}" if path else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _secret_paths(v, f"{path}.{i}")


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return _unwrap(value.get("value"))
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


@dataclass
class Run:
    """What one mocked program registered, and the resolved value it returned."""

    resources: list[Registered]
    value: Any = None
    transforms: dict[str, Any] = field(default_factory=dict)
    """The transforms resources registered, by `module.function`."""

    def of_type(self, typ: str) -> list[Registered]:
        """Registrations of one type token, e.g. `kubernetes:apps/v1:Deployment`."""
        return [r for r in self.resources if r.typ == typ]

    def named(self, name: str) -> Registered:
        """The one registration with this Pulumi name."""
        matches = [r for r in self.resources if r.name == name]
        assert len(matches) == 1, f"{len(matches)} resources named {name!r}"
        return matches[0]

    def count(self, typ: str) -> int:
        return len(self.of_type(typ))


def run_program(
    program: Callable[[], Any],
    *,
    config: dict[str, str] | None = None,
    secret_keys: list[str] | None = None,
    preview: bool = False,
    mocks: DataplaneMocks | None = None,
) -> Run:
    """Run `program` under mocks; it may return an Output, which is awaited too."""
    sink: list[Registered] = []
    mocks = mocks or DataplaneMocks()
    pulumi.runtime.set_mocks(
        mocks,
        project="langgraph-dataplane",
        stack="test",
        preview=preview,
        monitor=RecordingMonitor(mocks, sink),
    )
    pulumi.runtime.set_all_config(config or {}, secret_keys or [])
    callbacks = RecordingCallbacks()
    pulumi.runtime.settings.SETTINGS.callbacks = callbacks  # type: ignore[assignment]
    result: dict[str, Any] = {}

    def wrapped() -> pulumi.Output[Any]:
        return pulumi.Output.from_input(program()).apply(lambda v: result.setdefault("v", v))

    pulumi.runtime.test(wrapped)()
    return Run(sink, result.get("v"), callbacks.transforms)


def mocked_main() -> None:
    """The project's program (`components.program.main`) as it runs under these mocks: no
    cluster is behind a kubeconfig there, so none is checked and nothing is guarded."""
    from components import program  # imported on use: the recorder runs other programs too

    program.main(cluster_check=lambda _config, _referenced: None)


def secret_flag(output: pulumi.Output[Any]) -> pulumi.Output[bool]:
    """An Output of whether `output` is secret; return it from a program to read it."""
    return pulumi.Output.from_input(asyncio.ensure_future(output.is_secret()))
