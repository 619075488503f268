"""Benchmarks: each module measures figures of BENCHMARKS.md; run one from the repository
root as `python -m benchmarks.NAME` (so they share code by importing, never through sys.path)."""
