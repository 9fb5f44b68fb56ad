"""Names the data plane chooses once: type tokens, resource names, provider property names,
and the labels and annotations it owns.

Standard library only: `preview_report` reads previews with these names and stays free of
Pulumi. A type token or resource name changed here replaces live resources (unless the
component adds `aliases`); a provider property renamed here no longer matches the state.
"""

from __future__ import annotations

# --- Type tokens of the components, and the one of every dynamic resource ---

DATAPLANE_TYPE = "langgraph:dataplane:DataPlane"
LISTENER_TYPE = "langgraph:dataplane:Listener"
SERVER_TYPE = "langgraph:dataplane:LangGraphServer"
POSTGRES_TYPE = "langgraph:dataplane:Postgres"
REDIS_TYPE = "langgraph:dataplane:Redis"
EXPOSURE_TYPE = "langgraph:dataplane:Exposure"
MONGO_TYPE = "langgraph:dataplane:Mongo"
OPERATOR_TYPE = "langgraph:dataplane:Operator"
DYNAMIC_TYPE = "pulumi-python:dynamic:Resource"

# --- Resource names the program gives ---

DATAPLANE_NAME = "dataplane"
KUBERNETES_PROVIDER_NAME = "kubernetes"
LISTENER_REGISTRATION_NAME = "listener-registration"
REVISION_SYNC_PREFIX = "revision-"


def revision_sync_name(deployment: str) -> str:
    """The Pulumi name of one deployment's RevisionSync."""
    return f"{REVISION_SYNC_PREFIX}{deployment}"


def deployment_of_sync(resource_name: str) -> str:
    """The deployment name in a RevisionSync's Pulumi name."""
    return resource_name.removeprefix(REVISION_SYNC_PREFIX)


class EndpointProps:
    """Inputs of both dynamic resources that say where the control plane is."""

    URL = "control_plane_url"
    WORKSPACE_ID = "workspace_id"
    TIMEOUT_SECONDS = "timeout_seconds"
    DEADLINE_SECONDS = "deadline_seconds"


class RevisionSyncProps:
    """Property names of a RevisionSync: the program's inputs, then what `check` fills in."""

    DEPLOYMENT_ID = "deployment_id"
    DEPLOYMENT_NAME = "deployment_name"
    NAMESPACE = "namespace"
    ACTIVE_REVISION_ID = "active_revision_id"
    LATEST_REVISION_ID = "latest_revision_id"
    PINNED_REVISION_ID = "pinned_revision_id"
    RESOURCE_SPEC = "resource_spec"
    SECRETS = "secrets"
    SECRET_REFERENCES = "secret_references"
    DEPLOYMENT_TYPE = "deployment_type"
    PREFETCHED = "prefetched_revision"
    REVISION_ID = "revision_id"
    STATUS = "status"
    IMAGE = "image"
    SECRET_NAMES = "secret_names"
    SECRETS_DIGEST = "secrets_digest"
    NOTICE = "notice"


class ListenerRegistrationProps:
    """Property names of a ListenerRegistration."""

    COMPUTE_ID = "compute_id"
    NAMESPACES = "namespaces"
    LISTENER_ID = "listener_id"
    DISCOVERED = "discovered_listener"


# --- Labels and annotations the components set themselves; config may not override them ---

PART_OF = "langgraph-dataplane"
LABEL_NAME = "app.kubernetes.io/name"
LABEL_PART_OF = "app.kubernetes.io/part-of"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
LABEL_INSTANCE = "app.kubernetes.io/instance"
LABEL_COMPONENT = "app.kubernetes.io/component"
OWN_LABELS = frozenset(
    {LABEL_NAME, LABEL_PART_OF, LABEL_MANAGED_BY, LABEL_INSTANCE, LABEL_COMPONENT}
)
OWN_PREFIX = "langgraph.ai/"
LABEL_DEPLOYMENT_ID = f"{OWN_PREFIX}deployment-id"
LABEL_REVISION_ID = f"{OWN_PREFIX}revision-id"
ANNOTATION_SECRETS_DIGEST = f"{OWN_PREFIX}secrets-digest"
ANNOTATION_ENV_DIGEST = f"{OWN_PREFIX}platform-env-digest"
ANNOTATION_OWNER = f"{OWN_PREFIX}owner"
"""`<project>/<stack>` of the stack that declared an object (`components/cluster/ownership.py`)."""

# --- The Pod Security Standard the data plane's namespaces enforce (the policy pack checks it) ---

POD_SECURITY_LABEL = "pod-security.kubernetes.io/enforce"
POD_SECURITY_LEVEL = "restricted"

# --- The component package (package/, docs/package.md) ---

PACKAGE_NAME = "langgraph"
PACKAGE_VERSION = "0.1.0"
PACKAGE_COMPONENT_TOKEN = f"{PACKAGE_NAME}:index:DataPlane"
# The control-plane resources, served by the package's own provider in place of the
# program's dynamic providers (no second Python process to find).
PACKAGE_REVISION_SYNC_TOKEN = f"{PACKAGE_NAME}:index:RevisionSync"
PACKAGE_LISTENER_REGISTRATION_TOKEN = f"{PACKAGE_NAME}:index:ListenerRegistration"
