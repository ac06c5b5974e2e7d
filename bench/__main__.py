"""Run benchmarks: ``python -m bench [NAME ...] [--option value ...]`` (``make bench BENCH_ARGS=...``).

Without names every registered benchmark runs. Options after the names go to each benchmark
(e.g. ``--rows 20000`` for a quick registry import run). ``--list`` lists the benchmarks.
"""

from __future__ import annotations

import sys
from importlib import import_module

from . import MODULES, REGISTRY, info


def load_modules() -> list[str]:
    """Import every benchmark module; one that fails to import is reported, not fatal to the others."""
    broken = []
    for module in MODULES:
        try:
            import_module(module)
        except Exception as exc:  # noqa: BLE001 - report any import failure and go on
            broken.append(module)
            info(f"cannot load {module}: {type(exc).__name__}: {exc}")
    return broken


def main(argv: list[str]) -> int:
    broken = load_modules()
    if "--list" in argv:
        for bench in REGISTRY.values():
            print(f"{bench.name}: {bench.description.splitlines()[0] if bench.description else ''}")
        return 0
    names = []
    while argv and not argv[0].startswith("-"):
        names.append(argv.pop(0))
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(REGISTRY)}", file=sys.stderr)
        return 2
    missed = []
    for name in names or list(REGISTRY):
        info(f"running {name}")
        for result in REGISTRY[name].func(list(argv)):
            print(result.line(), flush=True)
            if not result.ok:
                missed.append(result)
                info(f"TARGET MISSED: {result.name} (target {result.target_text()})")
    if missed:
        info(f"{len(missed)} result(s) missed their target")
        return 1
    if broken and not names:
        info(f"{len(broken)} benchmark module(s) could not be loaded")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
