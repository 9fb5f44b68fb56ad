"""What a sync costs and how it grows: `python -m benchmarks.run` writes docs/benchmarks.md.

One job per module: `procmem` samples the memory of a process tree, `static_providers` are
the no-network baseline providers, `programs` the engine programs, `engine_worker` and
`mocks_worker` measure one scenario in a fresh process, `imports` the import cost,
`profiles` what the time goes to, `fit` the statistics, `report` the Markdown, and `run`
drives it all against a loopback control plane.
"""
