"""Benchmarks: `make bench` runs them all, `make bench BENCH_ARGS=routing` one of them.

Each ``bench/bench_<name>.py`` exposes ``main(argv) -> int``, runs its peers (where one
exists) in the same run, prints a table with ratios and writes ``bench/results/<name>.json``.
docs/PERFORMANCE.md records the figures with the command that produced them.
"""
