"""Measuring sitrep against human-coded data: one module per kind of gold data.

Each module has `evaluate(path, ...) -> dict` returning the figures under the keys the CLI
prints with `--json`, and writes its misses for study when given an errors file.
"""
