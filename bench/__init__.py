"""Benchmarks of the patent search engine and the IPC classifier against baselines.

Every figure is printed beside its baseline, measured in the same run on the same data:
``python -m bench.run --size small`` (``make bench``) or ``--size large`` (``make bench-large``).
What is measured and how the corpora are built is written down in docs/benchmarks.md.
"""
