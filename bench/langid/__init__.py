"""Benchmark of crawler.language on a labelled corpus written for it (see run.py)."""
