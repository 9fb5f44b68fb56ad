// The standalone example stack (stacks/Pulumi.standalone-example.yaml) from TypeScript: the
// same `dataplane:` settings, typed, through the langgraph component package. The keys are
// read from this stack's secret config; see docs/package.md.
import * as pulumi from "@pulumi/pulumi";
import * as langgraph from "@pulumi/langgraph";

const config = new pulumi.Config();

const dataplane = new langgraph.DataPlane("standalone", {
    apiKey: config.requireSecret("apiKey"),
    licenseKey: config.requireSecret("licenseKey"),
    langsmithEndpoint: "https://eu.api.smith.langchain.com",
    namespaces: { names: ["agents"] },
    servers: {
        jobsPerWorker: 10,
        // Needs KEDA in the cluster: the queue workers' ScaledObject replaces their HPA.
        queueKeda: { enabled: true },
    },
    postgres: { image: "docker.io/pgvector/pgvector:0.8.0-pg16" },
    exposure: {
        ingress: {
            enabled: true,
            className: "nginx",
            hostname: "agents.example.com",
            basePath: "langgraph",
        },
    },
    deployments: {
        "support-agent": {
            static: {
                image: "registry.example.com/agents/support:1.4.2",
                resourceSpec: {
                    min_scale: 2,
                    max_scale: 6,
                    queue_min_scale: 1,
                    queue_max_scale: 10,
                    db_storage_gi: 20,
                },
                secrets: { OPENAI_API_KEY: config.requireSecret("openaiApiKey") },
            },
            env: [{ name: "LOG_LEVEL", value: "info" }],
        },
        "research-agent": {
            mongo: { mode: "in-cluster" },
            static: {
                image: "registry.example.com/agents/research@sha256:0039b6acd866eba66727e5131b637797fb8f19e174b60d823e4275384626a581",
            },
        },
    },
    // Manifests rendered to this folder: no cluster needed. Set `kubeconfig` to apply.
    renderDir: config.get("renderDir") ?? ".work/manifests",
});

export const namespace = dataplane.namespace;
export const serverUrls = dataplane.serverUrls;
export const revisions = dataplane.revisions;
export const manifestsDir = dataplane.manifestsDir;
