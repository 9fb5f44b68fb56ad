"""The typed inputs: what the plan hands to the components (`args`, `workload`'s pod
settings), and to the revision-sync provider (`sync_args`, `revision`).

Plain data and Pulumi inputs, no Kubernetes SDK: the stack config takes its defaults from
here, the plan builds these, the components and providers take them. See components/README.md.
"""
