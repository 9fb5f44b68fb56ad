"""Run Pulumi programs under `set_mocks` and record every registration, as the engine sees it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

# The tests read these through the harness.
from devtools.mocks import DYNAMIC as DYNAMIC
from devtools.mocks import MOCK_IMAGE as MOCK_IMAGE
from devtools.mocks import MOCK_LISTENER_ID as MOCK_LISTENER_ID
from devtools.mocks import MOCK_PASSWORD as MOCK_PASSWORD
from devtools.mocks import DataplaneMocks

SECRET_SIG = rpc._special_secret_sig
SIG_KEY = rpc._special_sig_key


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

    def get(self, path: str) -> Any:
        """Read a dotted path of the inputs, with numeric parts as list indexes."""
        value: Any = self.inputs
        for part in path.split("."):
            value = value[int(part)] if isinstance(value, list) else value[part]
        return value


class _RecordingMonitor(pulumi_mocks.MockMonitor):
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
            )
        )
        return super().RegisterResource(request)


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
) -> Run:
    """Run `program` under mocks; it may return an Output, which is awaited too."""
    sink: list[Registered] = []
    mocks = DataplaneMocks()
    pulumi.runtime.set_mocks(
        mocks,
        project="langgraph-dataplane",
        stack="test",
        preview=preview,
        monitor=_RecordingMonitor(mocks, sink),
    )
    pulumi.runtime.set_all_config(config or {}, secret_keys or [])
    result: dict[str, Any] = {}

    def wrapped() -> pulumi.Output[Any]:
        return pulumi.Output.from_input(program()).apply(lambda v: result.setdefault("v", v))

    pulumi.runtime.test(wrapped)()
    return Run(sink, result.get("v"))


def secret_flag(output: pulumi.Output[Any]) -> pulumi.Output[bool]:
    """An Output of whether `output` is secret; return it from a program to read it."""
    return pulumi.Output.from_input(asyncio.ensure_future(output.is_secret()))
