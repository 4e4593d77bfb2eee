"""sitrep: news articles about armed conflict -> a source-attributed event dataset and a situation report."""

import os as _os
import sys as _sys

__version__ = "0.1.0"

# A worker process of `sitrep run --processes` (pipeline.Workers) only parses and extracts: thinc
# would import torch when it is installed (the embeddings extra), which costs each worker about
# 200 MB and a second of start-up for nothing.
if _os.environ.get("SITREP_WORKER") == "1" and "torch" not in _sys.modules:
    _sys.modules["torch"] = None  # `import torch` raises ImportError: thinc runs without it
