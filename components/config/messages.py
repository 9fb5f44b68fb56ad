"""Validation errors in the stack file's words: the key path, what is wrong, and the fix.

No Python class names, no pydantic wording, and no secret value: values under secret keys,
environment values and dictionaries are never quoted, and a URL's user and password never.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from difflib import get_close_matches
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from ..core.urls import redact
from .credentials import is_credential_value
from .fields import NAMESPACE, Problem
from .naming import yaml_reading

Loc = tuple[Any, ...]

# Keys whose values are credentials: they must come from secret config.
SECRET_KEYS = (
    "apiKey",
    "licenseKey",
    "externalPostgresUris",
    "externalRedisUris",
    "externalMongoUris",
)
# Parts of a key path under which values are never quoted.
_HIDDEN_PARTS = frozenset({*SECRET_KEYS, "secrets"})
_ENV_LISTS = frozenset({"extraEnv", "env"})

_MISSING_FIXES: dict[str, str] = {
    "apiKey": f"`pulumi config set --secret {NAMESPACE}:apiKey <LangSmith API key>`",
    "licenseKey": f"`pulumi config set --secret {NAMESPACE}:licenseKey <LangGraph licence key>`",
    "controlPlane": (
        f"set `{NAMESPACE}:controlPlane` with `listenerComputeId` and `url`, `region` or "
        "`langsmithUrl`"
    ),
    "controlPlane.listenerComputeId": (
        f"`pulumi config set --path {NAMESPACE}:controlPlane.listenerComputeId <cluster name>`"
    ),
}


def dotted(loc: Loc) -> str:
    return ".".join(str(p) for p in loc)


def hidden(loc: Loc) -> bool:
    """Are values at this key path never to be quoted?"""
    parts = [str(p) for p in loc]
    if any(p in _HIDDEN_PARTS for p in parts):
        return True
    return any(p in _ENV_LISTS for p in parts) and parts[-1] == "value"


def _quoted(value: Any, loc: Loc) -> str:
    """` (got ...)` for a plain value that may be shown, else nothing."""
    if hidden(loc) or not isinstance(value, str | int | float | bool):
        return ""
    if isinstance(value, str) and is_credential_value(value):
        return " (value hidden: it looks like a credential)"
    text = redact(repr(value))
    if len(text) > 80:
        text = text[:77] + "..."
    return f" (got {text})"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a section"
    return "nothing" if value is None else "something else"


def annotation_at(root: type[BaseModel], loc: Loc) -> Any:
    """The type of the value at key path `loc`, or None when no key is there."""
    annotation: Any = root
    for part in loc:
        model = _model_in(annotation)
        if model is not None:
            info = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
            if info is None:
                return None
            annotation = info.annotation
        elif get_origin(annotation) is dict:
            annotation = get_args(annotation)[1]
        elif get_origin(annotation) is list:
            annotation = get_args(annotation)[0]
        else:
            return None
    return annotation


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def known_keys(root: type[BaseModel], loc: Loc) -> list[str]:
    """The keys the section at `loc` takes."""
    model = _model_in(annotation_at(root, loc))
    if model is None:
        return []
    return [f.alias or n for n, f in model.model_fields.items()]


def describe(root: type[BaseModel], err: Any) -> Problem:
    """One pydantic error as a `Problem` in the stack file's words."""
    loc: Loc = tuple(err["loc"])
    kind: str = err["type"]
    ctx: dict[str, Any] = err.get("ctx") or {}
    value = err.get("input")
    path = dotted(loc)

    if len(loc) > 1 and loc[-1] == "[key]":
        # The key as it arrived (the error's location spells `False` as 0, `None` as text).
        key = value if isinstance(value, str | int | float | bool) or value is None else loc[-2]
        return _bad_map_key(root, loc[:-2], key)
    if kind == "extra_forbidden":
        known = known_keys(root, loc[:-1])
        meant = meant_key(root, loc)
        fix = f"write `{meant[-1]}`" if meant else "remove it or correct the spelling"
        return Problem(path, "unknown key", f"{fix} (known keys here: {', '.join(known)})")
    if kind == "missing":
        secret = " --secret" if hidden(loc) or "deployments" in path else ""
        fix = f"`pulumi config set{secret} --path '{NAMESPACE}:{path}' <value>`"
        return Problem(path, "required but missing", _MISSING_FIXES.get(path, fix))
    if kind == "invalid":
        at = ctx.get("at")
        where = f"{path}.{at}" if at and path else at or path
        message = str(err["msg"])
        said = at or (isinstance(value, str) and repr(value) in message)  # quoted already
        return Problem(where, f"{message}{'' if said else _quoted(value, loc)}", ctx["fix"])
    message, fix = _plain_words(kind, ctx, value, loc)
    return Problem(path, message + _quoted(value, loc), fix)


def _bad_map_key(root: type[BaseModel], loc: Loc, key: Any) -> Problem:
    """A key of the map at `loc` that it does not take."""
    path = dotted((*loc, key))
    if str(loc[-1]) == "workloads":
        known = ", ".join(_choices(annotation_at(root, loc)))
        return Problem(path, "unknown key", f"use one of {known}")
    reading = yaml_reading(key)
    said = f" ({reading})" if reading else ""
    if str(loc[-1]) == "deployments":
        return Problem(
            path,
            f"{key!r} is not a deployment name{said}",
            "quote the name as written (`'no':`) when YAML read it as something else; a "
            "deployment's name is a lowercase DNS label that starts with a letter, such as "
            "`agent-alpha`",
        )
    return Problem(path, f"the key {key!r} is not text{said}", "quote the key as written")


def _choices(annotation: Any) -> list[str]:
    """The allowed keys of a map with fixed keys (`workloads`)."""
    if get_origin(annotation) is not dict:
        return []
    return [str(a) for a in get_args(get_args(annotation)[0])]


def _plain_words(kind: str, ctx: dict[str, Any], value: Any, loc: Loc) -> tuple[str, str]:
    """What a generic type or range error means, and its fix."""
    got = _kind(value)
    if kind == "literal_error":
        options = str(ctx.get("expected", "")).replace("'", "`")
        return f"must be one of {options}", f"write one of {options}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "must be a whole number", "write a whole number such as `2`, without quotes or units"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return "must be a finite number", "write a number such as `30` or `2.5`"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false", "write `true` or `false`"
    if kind in ("string_type", "string_sub_type"):
        reading = None if hidden(loc) else yaml_reading(value)
        if reading and value is not None:
            example = "'yes'" if isinstance(value, bool) else "'1e3'"
            fix = f"quote it as written in the stack file, e.g. `{example}`"
            return f"must be text; {reading}", fix
        return f"must be text, not {got}", "write it as text (quote it in YAML)"
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return (
            f"must be a section of keys and values, not {got}",
            "write `key: value` lines indented under it (see the configuration reference)",
        )
    if kind in ("list_type", "tuple_type", "set_type"):
        return f"must be a list, not {got}", "write it as a list (`- item` lines)"
    if kind in ("too_short", "too_long"):
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        word = "at least" if kind == "too_short" else "at most"
        return f"must have {word} {bound} entries", f"give {word} {bound} entries"
    bounds = {
        "greater_than": "more than",
        "greater_than_equal": "at least",
        "less_than": "less than",
        "less_than_equal": "at most",
    }
    if kind in bounds:
        limit = next(iter(ctx.values()), "?")
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        return f"must be {bounds[kind]} {limit}", f"write a number {bounds[kind]} {limit}"
    # Any other kind: named in plain words, never in pydantic's.
    return (
        f"is not valid here ({kind.replace('_', ' ')})",
        "correct it as the configuration reference says",
    )


def related(a: str, b: str) -> bool:
    """Is one key path the other, or inside it?"""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def unreported(problems: Sequence[Problem], reported: set[str]) -> list[Problem]:
    """The problems whose keys were not already reported wrong: a key that was dropped (or a
    section around it) holds its default now, and a problem about it would mislead; a key
    found missing or empty may only be so because what was in it was dropped."""

    def knock_on(p: Problem) -> bool:
        reads = p.reads or (p.path,)
        return any(
            any(r == seen or r.startswith(seen + ".") for r in reads)
            or any(related(a, seen) for a in p.absent)
            for seen in reported
        )

    return [p for p in problems if not knock_on(p)]


def meant_key(root: type[BaseModel], loc: Loc) -> Loc | None:
    """The known key an unknown one at `loc` is a misspelling of (the one its fix names), or
    None: that key is absent only because of the misspelling."""
    close = get_close_matches(str(loc[-1]), known_keys(root, loc[:-1]), n=1)
    return (*loc[:-1], close[0]) if close else None


def twin_keys(root: type[BaseModel], tree: Any, loc: Loc = ()) -> list[Problem]:
    """A snake_case key beside its camelCase twin (`queue_enabled` and `queueEnabled`): one
    problem each, and the snake_case key is dropped from `tree`. Alone, either spelling is
    taken; together, one would silently win."""
    problems: list[Problem] = []
    _twins(root, tree, loc, problems)
    return problems


def _twins(annotation: Any, tree: Any, loc: Loc, problems: list[Problem]) -> None:
    while get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        model = _model_in(annotation)
        annotation = model if model is not None else (args[0] if len(args) == 1 else None)
    model = _model_in(annotation)
    if model is not None and isinstance(tree, dict):
        for name, info in model.model_fields.items():
            alias = info.alias
            if alias and alias != name and alias in tree and name in tree:
                tree.pop(name)
                problems.append(
                    Problem(
                        dotted((*loc, name)),
                        f"is `{alias}` in snake_case, and `{alias}` is set too",
                        f"keep `{alias}` and remove `{name}`",
                    )
                )
        for key, value in tree.items():
            field = next((f for n, f in model.model_fields.items() if key in (n, f.alias)), None)
            if field is not None:
                _twins(field.annotation, value, (*loc, key), problems)
    elif get_origin(annotation) is dict and isinstance(tree, dict):
        for key, value in tree.items():
            _twins(get_args(annotation)[1], value, (*loc, key), problems)
    elif get_origin(annotation) is list and isinstance(tree, list):
        for index, value in enumerate(tree):
            _twins(get_args(annotation)[0], value, (*loc, index), problems)
