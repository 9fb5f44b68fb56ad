// A synced data plane from TypeScript: the dev stack's settings (stacks/Pulumi.dev.yaml),
// through the langgraph component package. Each deployment's revision (image, sizing,
// secrets) comes from the control plane at every preview, so `pulumi preview --diff` shows
// a new revision's `image: old => new` before `pulumi up` rolls it out. See docs/package.md.
import * as pulumi from "@pulumi/pulumi";
import * as langgraph from "@pulumi/langgraph";

const config = new pulumi.Config();

const dataplane = new langgraph.DataPlane("synced", {
    controlPlane: {
        // The project's local control plane (scripts/controlplane.sh start).
        url: config.get("controlPlaneUrl") ?? "http://127.0.0.1:8765",
        listenerComputeId: config.get("listenerComputeId") ?? "dev-cluster",
        timeoutSeconds: 10,
    },
    apiKey: config.requireSecret("apiKey"),
    licenseKey: config.requireSecret("licenseKey"),
    namespaces: { names: ["langgraph"] },
    // Dev data is disposable: allow `pulumi destroy` to delete the database volume.
    postgres: { deletionProtection: false },
    // Manifests rendered to this folder: no cluster needed. Set `kubeconfig` to apply.
    renderDir: config.get("renderDir") ?? ".work/manifests",
});

export const listenerId = dataplane.listenerId;
export const revisions = dataplane.revisions;
export const serverUrls = dataplane.serverUrls;
