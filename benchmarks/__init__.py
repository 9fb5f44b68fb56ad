"""The full data plane's cost in the engine against a hand-written program:
`python -m benchmarks.run` writes docs/benchmarks.md and docs/benchmarks.json.

One job per module: `fixtures` seeds the local control plane, `static_dataplane` records the
data plane's objects and is the hand-written baseline program, `project` writes the project
folders the engine runs, `program_main` is their `__main__` (profiled on request),
`engine_worker` measures previews and ups in a fresh process, `engine_profile` profiles one
preview (Go and Python), `procmem` samples the process tree's memory and CPU, `check_worker`
times one check, `imports` the import cost, `profiles` reads cProfile dumps, `fit` the
statistics, `records` the figures and targets, `report` the Markdown, and `run` drives it
all against a loopback control plane.
"""
