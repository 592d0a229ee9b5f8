"""Benchmark scripts, each run from the repository root as a module: `python -m bench.core`."""
