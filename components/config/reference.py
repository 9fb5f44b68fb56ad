"""The configuration reference in docs/configuration.md, generated from the typed config models.

`python -m components.config.reference` prints it (`--write` updates docs/configuration.md,
between the markers); a unit test keeps docs/configuration.md in step.
"""

from __future__ import annotations

import json
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from .fields import NAMESPACE
from .schema import StackConfig

# Where the reference lives, from the repository's root.
DOC = "docs/configuration.md"
BEGIN = "<!-- config-reference:begin -->"
END = "<!-- config-reference:end -->"


def _section_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The config section a field holds, and whether it is a map of such sections.

    Kubernetes-shaped models (`reference_expand = False`) and lists are not expanded: their
    fields are the Kubernetes API's, not this project's.
    """
    if get_origin(annotation) is dict:
        return _section_of(get_args(annotation)[1])[0], True
    if get_origin(annotation) is list:
        return None, False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if not getattr(annotation, "reference_expand", True):
            return None, False
        return annotation, False
    for arg in get_args(annotation):
        found, _ = _section_of(arg)
        if found is not None:
            return found, False
    return None, False


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    value = field.default
    if value is PydanticUndefined and field.default_factory is not None:
        value = field.default_factory()
    if isinstance(value, BaseModel):
        return "(section)"
    if value is None:
        return "unset"
    return f"`{json.dumps(value)}`"


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{field.alias or name}"
        section, is_map = _section_of(field.annotation)
        doc = (field.description or "").replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{key}` | {doc} | {_default(field)} |")
        if section is not None:
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            placeholder = str(extra.get("referenceKey", "<name>"))
            rows += _rows(section, f"{key}.{placeholder}." if is_map else f"{key}.")
    return rows


def reference() -> str:
    """The Markdown table of every config key, its meaning and its default."""
    header = ["| key | meaning | default |", "|---|---|---|"]
    return "\n".join(header + _rows(StackConfig, f"{NAMESPACE}:"))


def with_reference(doc: str) -> str:
    """`doc` with the text between the markers replaced by the current reference."""
    head, _, rest = doc.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{reference()}\n{END}{tail}"


if __name__ == "__main__":
    import sys
    from pathlib import Path

    if sys.argv[1:] == ["--write"]:
        path = Path(__file__).resolve().parents[2] / DOC
        path.write_text(with_reference(path.read_text()))
    else:
        print(reference())
