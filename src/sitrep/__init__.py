"""sitrep: news articles about armed conflict -> a source-attributed event dataset and a situation report."""

__version__ = "0.1.0"
