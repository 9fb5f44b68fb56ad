"""An up never takes over an object that is not its stack's: a Secret made by hand, and an
object of another stack, where the stack would create its own. The live cluster, the real CLI,
the local control plane; convergence after a killed up is test_interrupted_up_converges."""

from __future__ import annotations

import json

import pytest
from kubernetes import client
from pulumi import automation as auto

from components.controlplane import ControlPlaneClient
from components.core.names import ANNOTATION_OWNER, LABEL_PART_OF, PART_OF
from components.spec.args import SERVER_PORT, SERVER_PORT_NAME
from devtools.engine import PROJECT
from local_controlplane.seed import DEFAULT_API_KEY
from tests.cluster.live import LiveStack

pytestmark = [pytest.mark.integration, pytest.mark.cluster]

OTHER = f"{PROJECT}/someone-else"


def test_objects_of_others_are_refused_before_anything_changes(
    live: LiveStack, controlplane: str
) -> None:
    ns = live.namespace
    ours = f"{PROJECT}/{live.stack().name}"
    # The namespace is shared: made by hand, and adopted by the stack as such.
    adopt = {"names": [ns], "create": False}
    live.stack().set_config("dataplane:namespaces", auto.ConfigValue(json.dumps(adopt)))
    labels = {"pod-security.kubernetes.io/enforce": "restricted"}
    live.core.create_namespace(
        client.V1Namespace(metadata=client.V1ObjectMeta(name=ns, labels=labels))
    )
    # A Secret made by hand, and a Service of another stack, where the stack's would go.
    live.core.create_namespaced_secret(
        ns,
        client.V1Secret(
            metadata=client.V1ObjectMeta(name="agent-alpha-platform-env"),
            string_data={"note": "made by hand"},
        ),
    )
    service = client.V1Service(
        metadata=client.V1ObjectMeta(
            name="agent-beta",
            labels={LABEL_PART_OF: PART_OF},
            annotations={ANNOTATION_OWNER: OTHER},
        ),
        # Its spec is what this stack's would be: a handed-over object keeps the fields that
        # others set (server-side apply merges), so only such a one is worth handing over.
        spec=client.V1ServiceSpec(
            ports=[client.V1ServicePort(name=SERVER_PORT_NAME, port=SERVER_PORT)]
        ),
    )
    live.core.create_namespaced_service(ns, service)
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as cp:
        listeners = len(cp.list_listeners())

    for attempt in (live.stack().preview, live.stack().up):
        with pytest.raises(auto.CommandError) as failed:
            attempt(on_output=live.record, color="never")
        text = str(failed.value)
        for part in (
            "2 objects of the stack already exist and are not its own",
            f"Secret {ns}/agent-alpha-platform-env already exists in the cluster and is not "
            "this stack's: it was made by hand or by another tool",
            f"Service {ns}/agent-beta already exists in the cluster and is not this stack's: "
            f"it belongs to stack '{OTHER}'",
            f"kubectl -n {ns} delete secret agent-alpha-platform-env",
            f"kubectl -n {ns} annotate service agent-beta {ANNOTATION_OWNER}={ours} --overwrite",
        ):
            assert part in text, text[-4000:]
        assert "Traceback" not in text, text[-3000:]
    # Nothing changed: no object of the stack in the cluster, none in its state, the hand
    # Secret and the other stack's Service as they were, no listener registered.
    assert live.apps.list_namespaced_deployment(ns).items == []
    assert [r for r in live.resources() if r["type"].startswith("kubernetes:")] == []
    kept = live.core.read_namespaced_secret("agent-alpha-platform-env", ns)
    assert kept.metadata.annotations is None
    assert live.core.read_namespaced_service("agent-beta", ns).metadata.annotations == {
        ANNOTATION_OWNER: OTHER
    }
    with ControlPlaneClient(DEFAULT_API_KEY, base_url=controlplane) as cp:
        assert len(cp.list_listeners()) == listeners

    # The fixes it names work: the Secret deleted, the Service handed over on purpose.
    live.core.delete_namespaced_secret("agent-alpha-platform-env", ns)
    live.core.patch_namespaced_service(
        "agent-beta", ns, {"metadata": {"annotations": {ANNOTATION_OWNER: ours}}}
    )
    live.up()
    for name in ("agent-alpha-platform-env",):
        meta = live.core.read_namespaced_secret(name, ns).metadata
        assert meta.annotations[ANNOTATION_OWNER] == ours
    beta = live.core.read_namespaced_service("agent-beta", ns)
    assert beta.metadata.annotations[ANNOTATION_OWNER] == ours
    assert [(p.name, p.port) for p in beta.spec.ports] == [(SERVER_PORT_NAME, SERVER_PORT)]
    assert beta.spec.selector  # the stack's own selector now
    # Every object the stack made carries its owner.
    for d in live.apps.list_namespaced_deployment(ns).items:
        assert d.metadata.annotations[ANNOTATION_OWNER] == ours, d.metadata.name
