"""A real Kubernetes node on this machine: containerd, the kubelet, kube-proxy and CoreDNS
as plain processes, pods on a bridge inside 198.18.0.0/15, and images built here.

scripts/cluster.sh --real-node starts a control plane (kwokctl, no fake nodes) and then this
node; docs/real-node.md says what runs, why each setting is there, and what stop removes.
"""
