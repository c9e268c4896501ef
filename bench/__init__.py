"""Benchmarks for akhbar: each subpackage prints its figures (``python -m bench.<name>``)."""
