"""RevisionSync: resolves which revision of a control-plane deployment this data plane runs.

`check` does the work, so a preview shows concrete values: it takes the target revision
(the deployment's active revision, or a pinned one) and returns its id, status and image
with the deployment's resource spec and secrets. Downstream servers see those values in the
preview, so `pulumi preview --diff` shows a new image rather than `[unknown]`. Discovery
resolved the target moments before, in this same run, for all deployments at once
(`targets.py`): `check` uses that (`prefetched_revision`) when it answers exactly these
inputs, and asks the control plane itself only otherwise. `diff` makes no network calls,
`create` and `update` only record, `read` asks the control plane again to detect drift and
deletion, and `delete` is a no-op: nothing in the control plane belongs to this resource.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

from ..controlplane.enums import DEFAULT_DEPLOYMENT_TYPE, REVISION_FAILED_STATUSES, scales_to_zero
from ..controlplane.errors import ControlPlaneError, NotFoundError
from ..core.endpoint import Endpoint
from ..core.names import RevisionSyncProps as P
from ..core.platform_env import reserved_env_problem
from ..spec.revision import SecretRef, secret_reference_problems, secrets_digest
from ..spec.sync_args import RevisionSyncArgs
from .connection import CredentialsError, client_for, remember_api_key
from .targets import TargetRevision, fetch_target, target_of

# What a rollout depends on: a change to any of these is an update of the servers.
TRACKED = (
    P.REVISION_ID,
    P.IMAGE,
    P.RESOURCE_SPEC,
    P.SECRETS_DIGEST,
    P.SECRET_NAMES,
    P.SECRET_REFERENCES,
    P.NAMESPACE,
    P.NOTICE,
)
# Inputs that came after the first release: state written before has none of them, and
# their default must not read as a change.
DEFAULTS: dict[str, Any] = {P.SECRET_REFERENCES: []}
# Identity: a change replaces the resource.
IDENTITY = (P.DEPLOYMENT_ID,)


class RevisionSyncProvider(ResourceProvider):
    """Dynamic provider of `RevisionSync`. Holds no state: settings come in as inputs."""

    def configure(self, req: ConfigureRequest) -> None:
        remember_api_key(req.config)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        name = news.get(P.DEPLOYMENT_NAME, "?")
        # What discovery resolved is used here and never kept: state holds the answer.
        prefetched = TargetRevision.from_props(news.get(P.PREFETCHED))
        news = {k: v for k, v in news.items() if k != P.PREFETCHED}
        try:
            resolved = resolve(news, prefetched)
        except _Refused as refused:
            return CheckResult(news, [CheckFailure(refused.prop, f"{name}: {refused}")])
        except (ControlPlaneError, CredentialsError) as exc:
            return CheckResult(news, [CheckFailure(P.REVISION_ID, f"{name}: {exc}")])
        return CheckResult(resolved, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [k for k in IDENTITY if olds.get(k) != news.get(k)]
        changes = [k for k in TRACKED + IDENTITY if _value(olds, k) != _value(news, k)]
        return DiffResult(changes=bool(changes), replaces=replaces, stables=list(IDENTITY))

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(str(props[P.DEPLOYMENT_ID]), dict(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(dict(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        props = {k: v for k, v in props.items() if k != P.PREFETCHED}
        try:
            refreshed = resolve(props)  # refresh always asks the control plane
        except NotFoundError:
            return ReadResult(None, {})  # the deployment is gone: report the resource gone
        except _Refused:
            return ReadResult(id_, props, props)  # keep serving what state says
        return ReadResult(id_, refreshed, refreshed)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


def _value(props: dict[str, Any], key: str) -> Any:
    value = props.get(key)
    return DEFAULTS.get(key) if value is None else value


class _Refused(Exception):
    """A revision that must not be rolled out; `prop` names the input at fault."""

    def __init__(self, prop: str, message: str):
        super().__init__(message)
        self.prop = prop


def resolve(props: dict[str, Any], prefetched: TargetRevision | None = None) -> dict[str, Any]:
    """The inputs, completed with the target revision's concrete values.

    No request when `prefetched` answers these inputs; otherwise one (the target revision),
    plus one for the latest revision only when it differs from an unpinned target, to say
    why it is not being rolled out.
    """
    pinned = props.get(P.PINNED_REVISION_ID) or None
    target = target_of(pinned, props.get(P.ACTIVE_REVISION_ID))
    if not target:
        raise _Refused(
            P.ACTIVE_REVISION_ID,
            "the deployment has no active revision yet: wait until its first revision is "
            "deployed, or pin one with dataplane:deployments.<name>.revision.",
        )
    latest = None if pinned else props.get(P.LATEST_REVISION_ID) or None
    revision = prefetched
    if revision is None or not revision.answers(str(target), latest):
        client = client_for(Endpoint.from_props(props))
        revision = fetch_target(
            client, str(props[P.DEPLOYMENT_ID]), str(target), latest, pinned is not None
        )
    if revision.status in REVISION_FAILED_STATUSES:
        raise _Refused(
            P.PINNED_REVISION_ID if pinned else P.ACTIVE_REVISION_ID,
            f"revision {revision.revision_id} is {revision.status} and is never rolled out. "
            + (
                "Pin a revision that succeeded, or remove the pin."
                if pinned
                else "Ship a new revision in the control plane."
            ),
        )
    if not revision.image:
        raise _Refused(
            P.REVISION_ID,
            f"revision {revision.revision_id} has no image_uri: only deployments with a built "
            "image (source external_docker) can be served by Pulumi.",
        )
    secrets = {str(k): str(v) for k, v in (props.get(P.SECRETS) or {}).items()}
    problem = reserved_env_problem(secrets)
    if problem:
        raise _Refused(P.SECRETS, f"secrets {problem}. Rename them in the control plane.")
    references = SecretRef.all_of(props.get(P.SECRET_REFERENCES))
    problems = secret_reference_problems(references, list(secrets))
    if problems:
        raise _Refused(
            P.SECRET_REFERENCES,
            "secret_references " + "; ".join(problems) + ". Correct them in the control plane.",
        )
    _check_scale(props)
    notice = ""
    if revision.latest_status is not None:
        notice = (
            f"latest revision {revision.latest_revision_id} is {revision.latest_status}; "
            f"serving {revision.revision_id}"
        )
    return {
        **props,
        P.REVISION_ID: revision.revision_id,
        P.STATUS: revision.status,
        P.IMAGE: revision.image,
        P.SECRET_NAMES: sorted(secrets),
        P.SECRETS_DIGEST: secrets_digest(secrets),
        P.NOTICE: notice,
    }


def _check_scale(props: dict[str, Any]) -> None:
    """Zero replicas only for the tiers that scale to zero."""
    spec, tier = props.get(P.RESOURCE_SPEC) or {}, props.get(P.DEPLOYMENT_TYPE)
    zero = [k for k in ("min_scale", "queue_min_scale") if spec.get(k) == 0]
    if zero and not scales_to_zero(tier):
        raise _Refused(
            P.RESOURCE_SPEC,
            f"resource_spec.{zero[0]} is 0, but only dev_zero and dev_free_zero deployments "
            f"scale to zero (this one is {tier or DEFAULT_DEPLOYMENT_TYPE}). Set {zero[0]} to "
            "at least 1 in the control plane, or use a scale-to-zero tier.",
        )


class RevisionSync(Resource):
    """The revision of one control-plane deployment that this data plane serves."""

    deployment_id: pulumi.Output[str]
    deployment_name: pulumi.Output[str]
    namespace: pulumi.Output[str]
    revision_id: pulumi.Output[str]
    status: pulumi.Output[str]
    image: pulumi.Output[str]
    resource_spec: pulumi.Output[dict[str, Any]]
    secrets: pulumi.Output[dict[str, str]]
    secret_names: pulumi.Output[list[str]]
    secret_references: pulumi.Output[list[dict[str, str]]]
    secrets_digest: pulumi.Output[str]
    notice: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        endpoint: Endpoint,
        args: RevisionSyncArgs,
        prefetched: TargetRevision | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        self._register(
            name,
            {
                **sync_inputs(endpoint, args, prefetched),
                P.SECRETS: pulumi.Output.secret(args.secrets),
            },
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=[P.SECRETS])
            ),
        )

    def _register(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        """Register as a dynamic resource (the component package registers its own type)."""
        super().__init__(RevisionSyncProvider(), name, props, opts)


def sync_inputs(
    endpoint: Endpoint, args: RevisionSyncArgs, prefetched: TargetRevision | None = None
) -> dict[str, Any]:
    """The inputs of a RevisionSync: what the engine hands its `check` (secrets unwrapped),
    with what discovery resolved (`prefetched`)."""
    return {
        **endpoint.props(),
        P.DEPLOYMENT_ID: args.deployment_id,
        P.DEPLOYMENT_NAME: args.deployment_name,
        P.NAMESPACE: args.namespace,
        P.ACTIVE_REVISION_ID: args.active_revision_id,
        P.LATEST_REVISION_ID: args.latest_revision_id,
        P.PINNED_REVISION_ID: args.pinned_revision_id,
        P.RESOURCE_SPEC: args.resource_spec,
        P.SECRETS: args.secrets,
        P.SECRET_REFERENCES: list(args.secret_references),
        P.DEPLOYMENT_TYPE: args.deployment_type,
        # What discovery resolved: `check` uses it and drops it.
        P.PREFETCHED: prefetched.to_props() if prefetched else None,
        # Filled in by `check`.
        P.REVISION_ID: None,
        P.STATUS: None,
        P.IMAGE: None,
        P.SECRET_NAMES: None,
        P.SECRETS_DIGEST: None,
        P.NOTICE: None,
    }
