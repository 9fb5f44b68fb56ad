"""The data plane's policy pack: `pulumi preview --policy-pack policy`, from the project root.

The engine starts this file in the pack's own virtualenv (policy/.venv, made by
scripts/setup-venv.sh), with the stack's config in `PULUMI_CONFIG` (the language
host passes it, as it does to a program). This file only adapts: it turns what the engine
sends into plain data for the rules in `dataplane_rules/`, and their messages into
violations.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Any

PACK = Path(__file__).resolve().parent
PROJECT = PACK.parent
# The rules read type tokens and the image parser from components/core/names.py and
# components/core/images.py, which import the standard library only.
sys.path.append(str(PROJECT))

import pulumi.runtime  # noqa: E402
from dataplane_rules.catalog import RULES, Rule  # noqa: E402
from dataplane_rules.model import UNKNOWN, Resource  # noqa: E402
from dataplane_rules.settings import StackSettings, other_stacks  # noqa: E402
from pulumi_policy import (  # noqa: E402
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    proxy,
)

PACK_NAME = "langgraph-dataplane"
PROJECT_DIR_KEY = "projectDir"
_UNKNOWN_SENTINELS = frozenset(
    {
        proxy.UNKNOWN_BOOLEAN_VALUE,
        proxy.UNKNOWN_NUMBER_VALUE,
        proxy.UNKNOWN_STRING_VALUE,
        proxy.UNKNOWN_ARRAY_VALUE,
        proxy.UNKNOWN_ASSET_VALUE,
        proxy.UNKNOWN_ARCHIVE_VALUE,
        proxy.UNKNOWN_OBJECT_VALUE,
    }
)


def plain(value: Any) -> Any:
    """The SDK's unknown-checking proxies as plain dicts and lists, unknowns as UNKNOWN
    (the proxies raise on an unknown value, which would end a whole stack check)."""
    if isinstance(value, (proxy._DictProxy, proxy._ListProxy)):
        value = value["__target"]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, str) and value in _UNKNOWN_SENTINELS:
        return UNKNOWN
    return value


@functools.cache
def settings() -> StackSettings:
    """The running stack's settings, from the config the engine runs it with."""
    return StackSettings.from_engine(
        os.environ.get("PULUMI_PROJECT", ""),
        os.environ.get("PULUMI_STACK", ""),
        pulumi.runtime.get_config_env(),
        os.environ.get("DATAPLANE_KUBECONFIG"),
        os.environ.get("LANGSMITH_CONTROL_PLANE_URL"),
    )


def resource_policy(rule: Rule) -> Policy:
    check = rule.resource_check
    assert check is not None

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        resource = Resource(
            args.urn, args.resource_type, args.name, plain(args.props), bool(args.opts.protect)
        )
        for message in check(resource, settings()):
            report(message, None)

    return ResourceValidationPolicy(
        name=rule.name,
        description=rule.description,
        enforcement_level=_level(rule),
        validate=validate,
    )


def stack_policy(rule: Rule) -> Policy:
    check = rule.stack_check
    assert check is not None

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        resources = [
            Resource(r.urn, r.resource_type, r.name, plain(r.props), bool(r.opts.protect))
            for r in args.resources
        ]
        project_dir = Path(args.get_config().get(PROJECT_DIR_KEY) or PROJECT)
        others = other_stacks(project_dir, settings())
        if others is None and rule.uses_fleet:
            args.not_applicable(
                f"{project_dir} holds no Pulumi.yaml of project {settings().project!r}: "
                "the pack knows no other stack of it"
            )
        for violation in check(resources, settings(), others):
            report(violation.message, violation.urn)

    return StackValidationPolicy(
        name=rule.name,
        description=rule.description,
        enforcement_level=_level(rule),
        validate=validate,
        # `--policy-pack-config` may point the fleet rule at another project folder.
        config_schema=(
            PolicyConfigSchema(properties={PROJECT_DIR_KEY: {"type": "string"}})
            if rule.uses_fleet
            else None
        ),
    )


def _level(rule: Rule) -> EnforcementLevel:
    return EnforcementLevel.MANDATORY if rule.level == "mandatory" else EnforcementLevel.ADVISORY


PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[resource_policy(r) if r.resource_check else stack_policy(r) for r in RULES],
)
