"""RevisionSync: resolves which revision of a control-plane deployment this data plane runs.

`check` does the work, so a preview shows concrete values: it reads the target revision
(the deployment's active revision, or a pinned one) and returns its id, status and image
with the deployment's resource spec and secrets. Downstream servers see those values in the
preview, so `pulumi preview --diff` shows a new image rather than `[unknown]`. `diff` makes
no network calls, `create` and `update` only record, `read` detects drift and deletion, and
`delete` is a no-op: nothing in the control plane belongs to this resource.
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

from ..controlplane import ControlPlaneError, NotFoundError, reserved_env_names
from ..names import RevisionSyncProps as P
from ..revision import secrets_digest
from .connection import CredentialsError, Endpoint, client_for, remember_api_key

# What a rollout depends on: a change to any of these is an update of the servers.
TRACKED = (
    P.REVISION_ID,
    P.IMAGE,
    P.RESOURCE_SPEC,
    P.SECRETS_DIGEST,
    P.SECRET_NAMES,
    P.NAMESPACE,
    P.NOTICE,
)
# Identity: a change replaces the resource.
IDENTITY = (P.DEPLOYMENT_ID,)


class RevisionSyncProvider(ResourceProvider):
    """Dynamic provider of `RevisionSync`. Holds no state: settings come in as inputs."""

    def configure(self, req: ConfigureRequest) -> None:
        remember_api_key(req.config)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        name = news.get(P.DEPLOYMENT_NAME, "?")
        try:
            resolved = resolve(news)
        except _Refused as refused:
            return CheckResult(news, [CheckFailure(refused.prop, f"{name}: {refused}")])
        except (ControlPlaneError, CredentialsError) as exc:
            return CheckResult(news, [CheckFailure(P.REVISION_ID, f"{name}: {exc}")])
        return CheckResult(resolved, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [k for k in IDENTITY if olds.get(k) != news.get(k)]
        changes = [k for k in TRACKED + IDENTITY if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changes), replaces=replaces, stables=list(IDENTITY))

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(str(props[P.DEPLOYMENT_ID]), dict(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(dict(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            refreshed = resolve(props)
        except NotFoundError:
            return ReadResult(None, {})  # the deployment is gone: report the resource gone
        except _Refused:
            return ReadResult(id_, props, props)  # keep serving what state says
        return ReadResult(id_, refreshed, refreshed)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class _Refused(Exception):
    """A revision that must not be rolled out; `prop` names the input at fault."""

    def __init__(self, prop: str, message: str):
        super().__init__(message)
        self.prop = prop


def resolve(props: dict[str, Any]) -> dict[str, Any]:
    """The inputs, completed with the target revision's concrete values.

    One HTTP request (the target revision), plus one for the latest revision only when it
    differs from an unpinned target, to say why it is not being rolled out.
    """
    client = client_for(Endpoint.from_props(props))
    deployment_id = str(props[P.DEPLOYMENT_ID])
    pinned = props.get(P.PINNED_REVISION_ID) or None
    target = pinned or props.get(P.ACTIVE_REVISION_ID)
    if not target:
        raise _Refused(
            P.ACTIVE_REVISION_ID,
            "the deployment has no active revision yet: wait until its first revision is "
            "deployed, or pin one with dataplane:deployments.<name>.revision.",
        )
    revision = client.get_revision(deployment_id, str(target))
    if revision.is_failed:
        raise _Refused(
            P.PINNED_REVISION_ID if pinned else P.ACTIVE_REVISION_ID,
            f"revision {revision.id} is {revision.status} and is never rolled out. "
            + (
                "Pin a revision that succeeded, or remove the pin."
                if pinned
                else "Ship a new revision in the control plane."
            ),
        )
    image = revision.source_revision_config.image_uri if revision.source_revision_config else None
    if not image:
        raise _Refused(
            P.REVISION_ID,
            f"revision {revision.id} has no image_uri: only deployments with a built image "
            "(source external_docker) can be served by Pulumi.",
        )
    secrets = {str(k): str(v) for k, v in (props.get(P.SECRETS) or {}).items()}
    reserved = reserved_env_names(secrets)
    if reserved:
        raise _Refused(
            P.SECRETS,
            f"secrets {', '.join(reserved)} use environment names reserved by the platform. "
            "Rename them in the control plane.",
        )
    latest = props.get(P.LATEST_REVISION_ID)
    notice = ""
    if not pinned and latest and latest != revision.id:
        latest_rev = client.get_revision(deployment_id, str(latest))
        notice = f"latest revision {latest} is {latest_rev.status}; serving {revision.id}"
    return {
        **props,
        P.REVISION_ID: revision.id,
        P.STATUS: str(revision.status),
        P.IMAGE: image,
        P.SECRET_NAMES: sorted(secrets),
        P.SECRETS_DIGEST: secrets_digest(secrets),
        P.NOTICE: notice,
    }


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
    secrets_digest: pulumi.Output[str]
    notice: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        endpoint: Endpoint,
        deployment_id: str,
        deployment_name: str,
        namespace: str,
        active_revision_id: str | None,
        latest_revision_id: str | None,
        resource_spec: dict[str, Any],
        secrets: pulumi.Input[dict[str, str]],
        pinned_revision_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(
            RevisionSyncProvider(),
            name,
            {
                **endpoint.props(),
                P.DEPLOYMENT_ID: deployment_id,
                P.DEPLOYMENT_NAME: deployment_name,
                P.NAMESPACE: namespace,
                P.ACTIVE_REVISION_ID: active_revision_id,
                P.LATEST_REVISION_ID: latest_revision_id,
                P.PINNED_REVISION_ID: pinned_revision_id,
                P.RESOURCE_SPEC: resource_spec,
                P.SECRETS: pulumi.Output.secret(secrets),
                # Filled in by `check`.
                P.REVISION_ID: None,
                P.STATUS: None,
                P.IMAGE: None,
                P.SECRET_NAMES: None,
                P.SECRETS_DIGEST: None,
                P.NOTICE: None,
            },
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=[P.SECRETS])
            ),
        )
