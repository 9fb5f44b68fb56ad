"""Secret handling: nothing secret reaches a report.

Three layers, because `pulumi preview --json` is not the only judge of what is secret:

1. Values the engine marks secret arrive as `"[secret]"` (or, in raw state, as a secret
   signature object): they stay `[secret]`.
2. A value under a key named like a credential (`*secret*`, `*password*`, `*key*`,
   `*token*`, `*uri*`, `secrets`, `stringData`, `data`, ...) is never printed, whatever it
   holds, and neither is the `value` of an environment entry whose `name` looks like one.
   This covers documents captured with `--show-secrets`, and values a program forgot to
   mark secret.
3. Free text (diagnostics, notices, CLI logs) is scrubbed of every such value found in the
   document, and of strings that look like credentials (API keys, passwords in URLs).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

SECRET = "[secret]"
# The signature Pulumi puts on secret values in serialized state.
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"

_SENSITIVE = re.compile(r"secret|passw|key|token|uri|credential|dsn|private|cert", re.I)
_SENSITIVE_EXACT = {"data", "stringdata", "binarydata", "auth", "authorization"}
# Keys that hold references to secrets (names), not their values.
_REFERENCE_PARENT = re.compile(r"Ref$")
_REFERENCE_LEAF = {"secretName", "secret_names", "secretNames"}
# Outputs that hold a generated secret under a name that does not say so, by resource type.
_GENERATED_SECRETS = {
    "random:index/randomPassword:RandomPassword": ("result", "bcryptHash"),
}
# Values too short to scrub safely from free text (they would mangle ordinary words).
_MIN_SCRUB_LENGTH = 6

_CREDENTIAL_PATTERNS = [
    # user:password@ in any URL (postgresql://, redis://, https://)
    (re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/:@]*:[^\s/@]+@"), r"\1" + SECRET + "@"),
    # API keys of the usual shapes: LangSmith, OpenAI, Anthropic, Tavily, GitHub, Slack
    (
        re.compile(
            r"\b(?:lsv2_|sk-|sk_|tvly-|lgp-|ghp_|gho_|github_pat_|xox[abp]-)[A-Za-z0-9_\-]{6,}"
        ),
        SECRET,
    ),
]


def is_sensitive_key(key: str) -> bool:
    """Whether a property named `key` may hold a credential (so its value is never shown)."""
    k = str(key)
    return k.lower() in _SENSITIVE_EXACT or bool(_SENSITIVE.search(k))


def is_secret_marker(value: Any) -> bool:
    """`[secret]` as the CLI prints it, or a secret signature object of raw state."""
    if isinstance(value, str):
        return value == SECRET
    return isinstance(value, Mapping) and SECRET_SIG_KEY in value


def path_is_sensitive(path: Sequence[str]) -> bool:
    return any(is_sensitive_key(part) for part in path)


def masked(value: Any, path: Sequence[str] = ()) -> Any:
    """`value` with everything secret replaced by `[secret]`; `path` is where it sits."""
    if is_secret_marker(value) or path_is_sensitive(path):
        return SECRET
    if isinstance(value, Mapping):
        if _is_sensitive_env_entry(value):
            return {
                k: (SECRET if k == "value" else masked(v, [*path, str(k)]))
                for k, v in value.items()
            }
        return {k: masked(v, [*path, str(k)]) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, [*path, str(i)]) for i, v in enumerate(value)]
    return value


def _is_sensitive_env_entry(value: Mapping[str, Any]) -> bool:
    """`{"name": "OPENAI_API_KEY", "value": "..."}`: a credential passed as a literal."""
    name = value.get("name")
    return "value" in value and isinstance(name, str) and is_sensitive_key(name)


def secret_values(document: Mapping[str, Any]) -> set[str]:
    """Every plain string of `document` that sits where a secret would: to scrub from text.

    Looks at the stack config and at the inputs and outputs of every step's states.
    """
    found: set[str] = set()
    for key, value in (document.get("config") or {}).items():
        # `dataplane:apiKey`, the DSN map of `dataplane:externalPostgresUris`: the key says it.
        found.update(_collect(_maybe_json(value), [str(key)], is_sensitive_key(str(key))))
    for step in document.get("steps") or []:
        if not isinstance(step, Mapping):
            continue
        for side in ("oldState", "newState"):
            state = step.get(side)
            if not isinstance(state, Mapping):
                continue
            generated = _GENERATED_SECRETS.get(str(state.get("type") or ""), ())
            for part in ("inputs", "outputs"):
                props = state.get(part)
                found.update(_collect(props, [], False))
                if isinstance(props, Mapping):
                    for key in generated:
                        found.update(_collect(props.get(key), [key], True))
    return {v for v in found if len(v) >= _MIN_SCRUB_LENGTH and v != SECRET}


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _collect(value: Any, path: list[str], under_secret: bool) -> Iterator[str]:
    if isinstance(value, Mapping):
        if SECRET_SIG_KEY in value:
            inner = value.get("plaintext", value.get("value"))
            yield from _collect(_maybe_json(inner), path, True)
            return
        env_secret = _is_sensitive_env_entry(value)
        for k, v in value.items():
            key = str(k)
            if key in _REFERENCE_LEAF or _REFERENCE_PARENT.search(key):
                continue  # names of Secrets, not their values
            secret = under_secret or is_sensitive_key(key) or (env_secret and key == "value")
            yield from _collect(v, [*path, key], secret)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _collect(v, [*path, str(i)], under_secret)
    elif isinstance(value, str) and under_secret:
        yield value
        parsed = _maybe_json(value)
        if parsed is not value:
            yield from _collect(parsed, path, True)


class Scrubber:
    """Removes known secret values and credential-shaped strings from free text."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self.values = sorted({v for v in values if v and v != SECRET}, key=len, reverse=True)

    @classmethod
    def for_document(cls, document: Mapping[str, Any] | None) -> Scrubber:
        return cls(secret_values(document) if document else ())

    def __call__(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, SECRET)
        for pattern, replacement in _CREDENTIAL_PATTERNS:
            text = pattern.sub(replacement, text)
        return text
