"""The `__main__.py` of the benchmark's projects: the program, profiled on request.

With `BENCH_PROFILE` set in the environment (the CLI passes its environment on to the
language host, and that to the program), the whole program runs under cProfile and the
profile is written to that path: what the program's process spends its time on inside a
real `pulumi preview`. Without it the program runs as it is.
"""

from __future__ import annotations

import cProfile
import os
from collections.abc import Callable

PROFILE_ENV = "BENCH_PROFILE"


def program(name: str) -> Callable[[], None]:
    if name == "dataplane":
        from components.program import main

        return main
    if name == "static":
        from .static_dataplane import main as static_main

        return static_main
    return lambda: None


def run(name: str) -> None:
    target = os.environ.get(PROFILE_ENV)
    if not target:
        program(name)()
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        program(name)()
    finally:
        # The SDK finishes the registrations after `main` returns: dump at exit.
        import atexit

        def dump() -> None:
            profiler.disable()
            profiler.dump_stats(target)

        atexit.register(dump)
