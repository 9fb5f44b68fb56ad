"""Property values as the engine sends them to the package's provider, and plain Python back.

The provider speaks `PropertyValue`s (secret flags, unknowns, numbers as floats); the config
model and the served resources speak the plain values a stack file gives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pulumi
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime.rpc import UNKNOWN


class UnknownInput(ValueError):
    """An input that is not known yet (an output of another resource, during a preview)."""

    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


def plain(value: PropertyValue, path: str = "") -> Any:
    """`value` as plain Python: secrets unwrapped, whole numbers as `int` (as a stack file
    gives them), map keys in order. An unknown value raises `UnknownInput` with its key
    path."""
    inner = value.value
    if isinstance(inner, Computed) or inner == UNKNOWN:
        raise UnknownInput(path)
    if isinstance(inner, float) and inner.is_integer():
        return int(inner)
    if isinstance(inner, Mapping):
        # The wire carries no key order (a TypeScript object or YAML map arrives as a
        # protobuf map): by name, so that every run declares the same lists in one order.
        return {k: plain(v, f"{path}.{k}" if path else k) for k, v in sorted(inner.items())}
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return [plain(v, f"{path}[{i}]") for i, v in enumerate(inner)]
    return inner


def plain_map(values: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """Every value of `values` as plain Python (`plain`)."""
    return {key: plain(value, key) for key, value in values.items()}


def secret_keys(values: Mapping[str, PropertyValue]) -> list[str]:
    """The keys of `values` whose value is, or holds, a secret."""
    return sorted(key for key, value in values.items() if value.contains_secret())


def secret_paths(values: Mapping[str, PropertyValue], prefix: str = "") -> list[str]:
    """The key paths of the secret values in `values` (the outermost secret of each branch)."""
    found = []
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else key
        inner = value.value
        if value.is_secret:
            found.append(path)
        elif isinstance(inner, Mapping):
            found += secret_paths(inner, path)
        elif isinstance(inner, Sequence) and not isinstance(inner, str):
            found += secret_paths({f"[{i}]": v for i, v in enumerate(inner)}, path)
    return [p.replace(".[", "[") for p in found]


def property_value(value: Any, secret: bool = False) -> PropertyValue:
    """Plain Python as a `PropertyValue`; `secret` marks the whole value secret."""
    if isinstance(value, PropertyValue):
        return value.with_secret(secret or value.is_secret)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        wrapped = PropertyValue(value)
    elif isinstance(value, int | float):
        wrapped = PropertyValue(float(value))
    elif isinstance(value, Mapping):
        wrapped = PropertyValue({str(k): property_value(v) for k, v in value.items()})
    elif isinstance(value, Iterable):
        wrapped = PropertyValue([property_value(v) for v in value])
    else:
        raise TypeError(f"cannot send a {type(value).__name__} to the engine")
    return wrapped.with_secret(secret)


def property_map(values: Mapping[str, Any], secret: Iterable[str] = ()) -> dict[str, PropertyValue]:
    """Plain Python as a map of `PropertyValue`s; the keys in `secret` are marked secret."""
    hidden = set(secret)
    return {key: property_value(value, key in hidden) for key, value in values.items()}


async def resolved(output: pulumi.Output[Any]) -> PropertyValue:
    """An output's value as a `PropertyValue`: unknown while unknown, secret when secret."""
    if not await output.is_known():
        return PropertyValue.computed()
    value = await output.future()
    return property_value(value, await output.is_secret())
