"""Development tooling: the locally built Pulumi engine, for the main job, tests and benchmarks."""
