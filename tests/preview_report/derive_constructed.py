"""The `constructed-<capture>-show-secrets.json` fixtures: real captures with their secrets
filled in. NOT engine output.

`pulumi preview --json` of CLI v3.259.0 prints every secret as `[secret]`, `--show-secrets`
or not (`pkg/backend/display/json.go` serializes step states with `showSecrets=false`), so
no real run can produce a JSON preview with plain secrets in it. The report must still
mask them when a document holds them (a CLI that honours `--show-secrets`, a value a
program forgot to mark secret), so these documents make that case from real captures.

tests/integration/capture_previews.py calls `unmask` right after capturing the base
preview, with the stack's decrypted state (`pulumi stack export --show-secrets`) and
config (`pulumi config --show-secrets`) at that moment, and writes the result with
`render`: every `[secret]` of the capture becomes the plain value at the same place:
- `config`: the decrypted config value;
- a step's `oldState` / `newState` `inputs` / `outputs`: the value at the same path in the
  state of the resource with that URN. For a `newState` this is the value before the
  change: the preview does not say what a changed secret becomes, and in the captured
  scenarios no secret changes (the `RevisionSync`'s `secrets_digest` is the same).
Everything else is the capture, byte for byte in the CLI's layout (a test checks that
masking the twin again gives the capture back).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

SECRET = "[secret]"
# The signature Pulumi puts on secret values in serialized state.
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
PREFIX, SUFFIX = "constructed-", "-show-secrets"


def twin_of(capture: str) -> str:
    """`constructed-<capture>-show-secrets`: the fixture name of a capture's twin."""
    return f"{PREFIX}{capture}{SUFFIX}"


def capture_of(twin: str) -> str:
    """The real capture a twin was made from."""
    if not (twin.startswith(PREFIX) and twin.endswith(SUFFIX)):
        raise ValueError(f"{twin}: not the name of a constructed twin")
    return twin.removeprefix(PREFIX).removesuffix(SUFFIX)


def unmask(
    doc: Mapping[str, Any], state: Mapping[str, Any], config: Mapping[str, str]
) -> dict[str, Any]:
    """`doc` with every `[secret]` replaced by its plain value from `state` and `config`.

    A `[secret]` with no plain value to fill in is an error: a twin holds them all.
    """
    plain = copy.deepcopy(dict(doc))
    live = {r["urn"]: r for r in state.get("resources") or []}
    for key, value in (plain.get("config") or {}).items():
        if value == SECRET:
            plain["config"][key] = _required(config.get(key), f"config {key}")
    for step in plain.get("steps") or []:
        resource = live.get(step["urn"], {})
        for side in ("oldState", "newState"):
            for part in ("inputs", "outputs"):
                props = (step.get(side) or {}).get(part)
                if props is not None:
                    where = f"{step['urn']} {side}.{part}"
                    step[side][part] = _fill(props, resource.get(part), where)
    return plain


def _fill(value: Any, source: Any, where: str) -> Any:
    if value == SECRET:
        return _reveal(_required(source, where))
    if isinstance(value, dict):
        props = source if isinstance(source, Mapping) else {}
        return {k: _fill(v, props.get(k), f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        items = source if isinstance(source, list) and len(source) == len(value) else []
        return [_fill(v, items[i] if items else None, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def _reveal(value: Any) -> Any:
    """A state value without its secret signatures: `{sig, "plaintext": json}` -> the value."""
    if isinstance(value, Mapping):
        if SECRET_SIG_KEY in value:
            return _reveal(json.loads(value["plaintext"]))
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_reveal(v) for v in value]
    return value


def _required(value: Any, where: str) -> Any:
    if value is None:
        raise ValueError(f"{where}: masked in the preview, and no plain value in the state")
    return value


def remask(twin: Any, capture: Any) -> Any:
    """`twin` with `[secret]` back wherever `capture` has it: the capture again."""
    if capture == SECRET:
        return SECRET
    if isinstance(capture, dict) and isinstance(twin, dict):
        return {k: remask(v, capture.get(k)) for k, v in twin.items()}
    if isinstance(capture, list) and isinstance(twin, list) and len(capture) == len(twin):
        return [remask(v, c) for v, c in zip(twin, capture, strict=True)]
    return twin


def filled_in(twin: Any, capture: Any) -> list[Any]:
    """The plain values of `twin` where `capture` has `[secret]`."""
    if capture == SECRET:
        return [twin]
    if isinstance(capture, dict) and isinstance(twin, dict):
        return [v for k in capture for v in filled_in(twin.get(k), capture[k])]
    if isinstance(capture, list) and isinstance(twin, list):
        return [v for t, c in zip(twin, capture, strict=False) for v in filled_in(t, c)]
    return []


def render(doc: Mapping[str, Any]) -> str:
    """The layout of the CLI's `--json` output (4-space indent, keys in its order)."""
    return json.dumps(doc, indent=4) + "\n"
