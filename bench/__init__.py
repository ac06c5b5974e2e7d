"""cecloud benchmarks (`make bench`).

Each benchmark is a function in its own module under ``bench/`` registered with ``@benchmark``;
the module is listed in ``MODULES``. A benchmark yields ``Result`` objects (and may print
informational lines starting with ``#``); the runner prints each result as exactly one line::

    BENCH <name> <value> <unit> baseline=<value> ratio=<value>

and exits non-zero when a result misses its target. See bench/README.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("BENCH_DATA_DIR", Path(__file__).resolve().parent / "data"))

# Modules that register benchmarks, imported in this order by the runner.
MODULES = [
    "bench.heartbeat",
    "bench.registry_import",
    "bench.selection_page",
    "bench.certificate_pdf",
    "bench.dashboard",
]


@dataclass(frozen=True)
class Result:
    """One measurement against a baseline measured in the same run.

    ``max_ratio`` / ``max_value`` are the targets (value/baseline and absolute value); ``None`` = none.
    ``min_ratio`` is a lower bound on value/baseline, for higher-is-better values such as throughput.
    """

    name: str
    value: float
    unit: str
    baseline: float
    max_ratio: float | None = None
    max_value: float | None = None
    min_ratio: float | None = None

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")

    @property
    def ok(self) -> bool:
        if self.max_ratio is not None and self.ratio > self.max_ratio:
            return False
        if self.min_ratio is not None and self.ratio < self.min_ratio:
            return False
        return not (self.max_value is not None and self.value > self.max_value)

    def line(self) -> str:
        return f"BENCH {self.name} {_num(self.value)} {self.unit} baseline={_num(self.baseline)} ratio={self.ratio:.2f}"

    def target_text(self) -> str:
        parts = []
        if self.max_ratio is not None:
            parts.append(f"ratio ≤ {self.max_ratio:g}")
        if self.max_value is not None:
            parts.append(f"value ≤ {self.max_value:g} {self.unit}")
        if self.min_ratio is not None:
            parts.append(f"ratio ≥ {self.min_ratio:g}")
        return " and ".join(parts)


def _num(value: float) -> str:
    return f"{value:.2f}" if abs(value) < 1000 else f"{value:.0f}"


@dataclass(frozen=True)
class Benchmark:
    name: str
    func: Callable[[list[str]], Iterable[Result]]
    description: str


REGISTRY: dict[str, Benchmark] = {}


def benchmark(name: str, *, description: str = ""):
    """Register ``func(options) -> Iterable[Result]`` under ``name`` (options: the remaining argv)."""

    def register(func):
        if name in REGISTRY:
            raise ValueError(f"benchmark {name!r} registered twice")
        REGISTRY[name] = Benchmark(name=name, func=func, description=description or (func.__doc__ or "").strip())
        return func

    return register


def info(message: str) -> None:
    """An informational line (never starts with BENCH)."""
    print(f"# {message}", flush=True)


def python() -> str:
    return sys.executable


# A benchmark's child process: the development profile, without DEBUG, the captcha's test mode or chatty logs.
CHILD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "CECLOUD_ENV": "development",
    "DEBUG": "0",
    "CECLOUD_CAPTCHA_TEST_MODE": "0",
    "LOG_LEVEL": "WARNING",
}


def run_child(module: str, args: list[str], env: dict[str, str]) -> dict:
    """Run ``python -m <module> run <args>`` from the repository with ``CHILD_ENV`` and ``env``; the
    JSON object printed on its last line."""
    proc = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", module, "run", *args],
        cwd=ROOT,
        env={**os.environ, **CHILD_ENV, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{module.rpartition('.')[2]} child failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
