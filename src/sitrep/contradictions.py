"""Where the sources of a story disagree: opposite statements, different tolls, denials.

A transparent method, every cue in data/stories/contradiction_cues.yaml:

* statements: the claims the claims stage found (speaker, verb, text), a claim's text cut at an
  aside ("..., even as armed groups hold the north": what follows is the outlet's voice), and
  the sentences told in the outlet's own voice (no reporting word in them, no claim over them).
  A claim whose text holds its own speaker and verb ("the junta claims success, ...") is
  someone else's words and is dropped; a pronoun speaker ("He said") is the previous claim's.
* (statement) a statement takes a side on a subject when it has one of the subject's words
  and one of its pro or contra phrases; a negation shortly before a phrase, or a denial verb
  as the claim's verb ("denied that the north had slipped out of the army's hands"), turns it
  over; pro and contra phrases that cancel leave no side. Two statements of one story on
  opposite sides from different speakers (or outlets) contradict each other; per pair of
  speakers the strongest pair is kept, and at most `MAX_PER_SUBJECT` per story and subject,
  those with named actors and across outlets first.
* (toll) a merged event whose sources give counts that differ by 20% and 2 or more: the lowest
  against the highest.
* (denial) a denial (a claim with a denial verb, or a sentence with one) that has an attack
  word or points back ("rejects the accusations", "rejected Wagner's account") against the
  accusation or claim it answers, in the same story.
Contradictions are recomputed for every story that changed, in the corpus stage's transaction.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import yaml
from sqlalchemy import delete, insert, select

from .settings import data_path

MAX_PER_SUBJECT = 8       # contradictions kept per story and subject
MAX_USES = 2              # times one statement may stand in them
PRONOUNS = {"he", "she", "they", "it", "we", "i"}


@dataclass(frozen=True)
class Subject:
    name: str
    words: frozenset
    pro: tuple
    contra: tuple


@dataclass(frozen=True)
class Cues:
    negation_window: int
    negations: tuple
    denial_verbs: frozenset
    accusation_verbs: frozenset
    denied_objects: frozenset
    attack_words: frozenset
    asides: tuple
    attribution: frozenset
    subjects: tuple


@lru_cache(maxsize=1)
def cues() -> Cues:
    path = data_path("stories", "contradiction_cues.yaml")
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    subjects = []
    for s in data["subjects"]:
        for key in ("name", "words", "pro", "contra"):
            if not s.get(key):
                raise ValueError(f"{path}: a subject needs a non-empty {key!r}")
        subjects.append(Subject(s["name"], frozenset(w.lower() for w in s["words"]),
                                tuple(p.lower() for p in s["pro"]), tuple(p.lower() for p in s["contra"])))
    lists = {k: [str(w).lower() for w in data.get(k) or []] for k in
             ("negations", "denial_verbs", "accusation_verbs", "denied_objects", "attack_words", "asides",
              "attribution")}
    for key, words in lists.items():
        if not words or any(not w.strip() for w in words):
            raise ValueError(f"{path}: {key!r} must be a list of non-empty words")
    return Cues(int(data.get("negation_window", 5)), tuple(lists["negations"]), frozenset(lists["denial_verbs"]),
                frozenset(lists["accusation_verbs"]), frozenset(lists["denied_objects"]),
                frozenset(lists["attack_words"]), tuple(lists["asides"]), frozenset(lists["attribution"]),
                tuple(subjects))


_TOKEN = re.compile(r"[\w']+|n't")


def words(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'"))


@dataclass
class Statement:
    text: str
    speaker: str                  # as written, or the outlet for its own voice
    speaker_key: str              # who, for telling speakers apart
    outlet: str | None
    article_id: str
    sentence: str
    start: int                    # the statement's offsets in the article's cleaned text
    end: int
    verb: str | None = None       # None: the outlet's own voice
    named: bool = False           # the speaker is a dictionary actor
    sides: dict = field(default_factory=dict)   # subject -> (side, cues)

    def side(self, subject: str):
        return self.sides.get(subject, (0, ()))

    def as_side(self) -> dict:
        return {"text": self.text, "speaker": self.speaker, "outlet": self.outlet, "article_id": self.article_id,
                "sentence": self.sentence, "start": self.start, "end": self.end}


@lru_cache(maxsize=None)
def _phrase_pattern(phrase: str) -> re.Pattern:
    return re.compile(r"(?<![\w'])" + re.escape(phrase) + r"(?![\w])")


@lru_cache(maxsize=None)
def _aside_pattern(aside: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(aside) + r"(?!\w)")


@lru_cache(maxsize=None)
def _sorted_phrases(phrases: tuple) -> tuple:
    return tuple(sorted(phrases, key=len, reverse=True))


def _find(phrase: str, text: str) -> list[int]:
    if phrase not in text:    # the pattern matches the phrase as written, so it must be in the text
        return []
    return [m.start() for m in _phrase_pattern(phrase).finditer(text)]


def stance(text: str, subject: Subject, negated_by_verb: bool = False) -> tuple[int, tuple[str, ...]]:
    """(+1 pro, -1 contra or 0, the cues that decided) of a text on a subject."""
    low = text.lower().replace("’", "'")
    return _stance(low, set(words(low)), subject, negated_by_verb)


def _stance(low: str, tokens: set, subject: Subject, negated_by_verb: bool) -> tuple[int, tuple[str, ...]]:
    """`stance` of a lowered text whose word set is `tokens`."""
    c = cues()
    if not tokens & subject.words:
        return 0, ()
    taken: list[tuple[int, int]] = []
    total, found = 0, []
    for polarity, phrases in ((1, subject.pro), (-1, subject.contra)):
        for phrase in _sorted_phrases(phrases):
            for at in _find(phrase, low):
                end = at + len(phrase)
                if any(at < e and s < end for s, e in taken):
                    continue
                taken.append((at, end))
                before = words(low[:at])[-c.negation_window:]
                flipped = any(" ".join(before[i:i + len(n.split())]) == n
                              for n in c.negations for i in range(len(before)))
                value = -polarity if flipped else polarity
                total += value
                found.append(("not " if flipped else "") + phrase)
    if negated_by_verb:
        total = -total
        found = [f"denied: {f}" for f in found]
    side = (total > 0) - (total < 0)
    return side, tuple(found) if side else ()


def _speaker_key(speaker: str, actor: str | None) -> str:
    if actor:
        return actor.lower()
    tokens = [w for w in words(speaker) if w not in ("the", "a", "an")]
    return " ".join(tokens)


def statements(article: dict, claims: list[dict]) -> list[Statement]:
    """The statements of one article: its claims, and its sentences in the outlet's own voice."""
    from .stories import sentences

    c = cues()
    text, outlet = article["text"], article["outlet"]
    out: list[Statement] = []
    covered: list[tuple[int, int]] = []
    previous: Statement | None = None
    for claim in sorted(claims, key=lambda r: r["start"]):
        sentence = text[claim["sentence_start"]:claim["sentence_end"]]
        body = claim["text"]
        low = body.lower()
        covered.append((claim["sentence_start"], claim["sentence_end"]))
        if f"{claim['speaker'].lower()} {claim['verb'].lower()}" in low:
            continue   # the claim's text holds its own speaker: someone else's words
        speaker, key, named = claim["speaker"], _speaker_key(claim["speaker"], claim["speaker_actor"]), \
            bool(claim["speaker_actor"])
        if claim["speaker"].lower() in PRONOUNS and previous is not None:
            speaker, key, named = previous.speaker, previous.speaker_key, previous.named
        cut = min((m.start() for a in c.asides for m in _aside_pattern(a).finditer(low)), default=None)
        if cut is not None:
            aside = body[cut:]
            out.append(Statement(aside, outlet or "the outlet", f"outlet:{(outlet or article['id']).lower()}",
                                 outlet, article["id"], sentence, claim["start"] + cut, claim["end"]))
            body = body[:cut]
        st = Statement(body, speaker, key, outlet, article["id"], sentence, claim["start"],
                       claim["start"] + len(body), claim["verb"], named)
        out.append(st)
        previous = st
    for start, end, _ in sentences(text):
        if any(s <= start < e for s, e in covered):
            continue
        sentence = text[start:end]
        if set(words(sentence)) & c.attribution:
            continue
        out.append(Statement(sentence, outlet or "the outlet", f"outlet:{(outlet or article['id']).lower()}", outlet,
                             article["id"], sentence, start, end))
    for st in out:
        denial = st.verb is not None and st.verb.lower() in c.denial_verbs
        low = st.text.lower().replace("’", "'")
        tokens = set(words(low))
        for subject in c.subjects:
            side, found = _stance(low, tokens, subject, denial)
            if side:
                st.sides[subject.name] = (side, found)
    return out


def opposite_statements(items: list[Statement]) -> list[dict]:
    """(statement) contradictions among a story's statements."""
    out = []
    for subject in cues().subjects:
        pro = [s for s in items if s.side(subject.name)[0] > 0]
        contra = [s for s in items if s.side(subject.name)[0] < 0]
        best: dict[tuple[str, str], tuple[float, Statement, Statement]] = {}
        for a in pro:
            for b in contra:
                if a.speaker_key == b.speaker_key:
                    continue
                score = (len(a.side(subject.name)[1]) + len(b.side(subject.name)[1]) + a.named + b.named
                         + (a.outlet != b.outlet) + 0.5 * (b.verb is None) + 0.5 * (a.verb is not None))
                pair = (a.speaker_key, b.speaker_key)
                if pair not in best or score > best[pair][0]:
                    best[pair] = (score, a, b)
        ranked = sorted(best.values(), key=lambda x: (-x[0], x[1].article_id, x[1].start, x[2].start))
        uses: dict[int, int] = defaultdict(int)
        kept = []
        for score, a, b in ranked:
            if uses[id(a)] >= MAX_USES or uses[id(b)] >= MAX_USES:
                continue
            uses[id(a)] += 1
            uses[id(b)] += 1
            kept.append((score, a, b))
            if len(kept) >= MAX_PER_SUBJECT:
                break
        for score, a, b in kept:
            shared = sorted((set(words(a.text)) & set(words(b.text)) & subject.words))
            out.append({"kind": "statement", "subject": subject.name + (f" ({', '.join(shared)})" if shared else ""),
                        "event_id": None, "a": a.as_side(), "b": b.as_side(),
                        "rule": f"{'; '.join(a.side(subject.name)[1])} <> {'; '.join(b.side(subject.name)[1])}"})
    return out


def _sentence_denials(article_id: str, row: dict, seen: set) -> list[Statement]:
    """Denials the claims stage did not take (a short object: "Bamako rejects the accusations"),
    in one article's sentences; `seen`: the (article id, sentence) of denials it took."""
    from .stories import sentences

    c = cues()
    out = []
    text = row["text"]
    for start, end, _ in sentences(text):
        sentence = text[start:end]
        tokens = words(sentence)
        verb = next((t for t in tokens if t in c.denial_verbs), None)
        if verb is None or (article_id, sentence) in seen:
            continue
        speaker = sentence[:sentence.lower().find(verb)].strip(" ,")
        if not speaker or len(speaker.split()) > 8:
            continue
        out.append(Statement(sentence, speaker, _speaker_key(speaker, None), row["outlet"], article_id,
                             sentence, start, end, verb))
    return out


_ACCUSATION_NOUNS = frozenset({"accusation", "accusations", "allegation", "allegations", "charge", "charges"})


def denials(items: list[Statement], article_rows: dict[str, dict],
            extra: dict[str, list[Statement]] | None = None) -> list[dict]:
    """(denial) a denial of an attack or of someone's account, against what it answers.
    `extra`: the `_sentence_denials` of some articles, already found."""
    c = cues()
    found: list[Statement] = [s for s in items if s.verb and s.verb.lower() in c.denial_verbs]
    seen = {(s.article_id, s.sentence) for s in found}
    for article_id, row in article_rows.items():
        if extra is not None and article_id in extra:
            found += extra[article_id]
        else:
            found += _sentence_denials(article_id, row, seen)
    out = []
    accusations = [s for s in items if s.verb and s.verb.lower() in c.accusation_verbs]
    accusation_words: dict[int, set] = {}
    # the statements a denial may name, and per speaker their words (long ones, first one)
    answerable = [s for s in items if s.verb and s.verb.lower() not in c.denial_verbs]
    speakers: dict[str, tuple[list[str], str | None]] = {}
    for s in answerable:
        if s.speaker_key not in speakers:
            parts = s.speaker_key.split()
            speakers[s.speaker_key] = ([w for w in parts if len(w) > 3], parts[0] if parts else None)
    for d in found:
        d_words = words(d.text)
        tokens = set(d_words)
        attack = tokens & c.attack_words
        pointer = tokens & c.denied_objects
        if not attack and not pointer:
            continue
        # what it answers: an accusation, or the claims of a speaker it names ("Wagner's account")
        answers = []
        if attack or tokens & _ACCUSATION_NOUNS:
            for i, a in enumerate(accusations):
                if a.speaker_key == d.speaker_key:
                    continue
                if a.article_id != d.article_id:
                    if i not in accusation_words:
                        accusation_words[i] = set(words(a.text))
                    if not accusation_words[i] & tokens & c.attack_words:
                        continue
                answers.append(a)
        candidates = answers
        if not candidates:
            joined = " ".join(d_words)
            names = {key for key, (long, first) in speakers.items() if key != d.speaker_key
                     and any(w in tokens for w in long) and first in joined}
            candidates = [s for s in answerable if s.speaker_key in names] if names else []
        if not candidates:
            continue
        target = min(candidates, key=lambda a: (a.article_id != d.article_id, abs(a.start - d.start)))
        subject = (", ".join(sorted(attack)) if attack else
                   f"{', '.join(sorted(pointer))} of {target.speaker}")
        out.append({"kind": "denial", "subject": subject, "event_id": None, "a": target.as_side(), "b": d.as_side(),
                    "rule": f"denial verb {d.verb!r} with {sorted(attack or pointer)}"})
    return out


def tolls(conn, story_id: str) -> list[dict]:
    """(toll) merged events of a story whose sources' counts disagree."""
    from .store import claims, event_sources, merged_events

    out = []
    for row in conn.execute(select(merged_events.c.id, merged_events.c.fatalities_sources)
                            .where(merged_events.c.story_id == story_id).order_by(merged_events.c.id)):
        figures = [f for f in json.loads(row.fatalities_sources or "[]") if f["kind"] == "count"]
        if len({f["article_id"] for f in figures}) < 2:
            continue
        low = min(figures, key=lambda f: (f["fatalities"], f["published"] or ""))
        high = max(figures, key=lambda f: (f["fatalities"], f["published"] or ""))
        if low["article_id"] == high["article_id"] or high["fatalities"] < max(low["fatalities"] * 1.2,
                                                                                 low["fatalities"] + 2):
            continue
        sides = []
        for f in (low, high):
            source = conn.execute(select(event_sources.c.sentence, event_sources.c.start, event_sources.c.end)
                                  .where(event_sources.c.event_id == f["event_id"]).order_by(event_sources.c.id)).first()
            speaker = conn.execute(select(claims.c.speaker).where(
                claims.c.article_id == f["article_id"], claims.c.sentence_start <= (source.start if source else -1),
                claims.c.sentence_end >= (source.end if source else -1))).scalar()
            sides.append({"text": f["text"], "speaker": speaker, "outlet": f["outlet"], "article_id": f["article_id"],
                          "sentence": source.sentence if source else None, "start": source.start if source else None,
                          "end": source.end if source else None, "fatalities": f["fatalities"]})
        out.append({"kind": "toll", "subject": f"fatalities: {low['fatalities']} against {high['fatalities']}",
                    "event_id": row.id, "a": sides[0], "b": sides[1],
                    "rule": "counts differ by 20% and 2 or more"})
    return out


def story_contradictions(conn, story_id: str) -> list[dict]:
    from .store import articles, claims, duplicates, story_articles

    ids = list(conn.scalars(select(story_articles.c.article_id).where(story_articles.c.story_id == story_id)
                            .where(story_articles.c.article_id.not_in(select(duplicates.c.article_id)))))
    rows = {r.id: dict(r._mapping) for r in conn.execute(
        select(articles.c.id, articles.c.text, articles.c.outlet, articles.c.status).where(articles.c.id.in_(ids)))}
    by_article = defaultdict(list)
    for r in conn.execute(select(claims).where(claims.c.article_id.in_(ids))):
        by_article[r.article_id].append(dict(r._mapping))
    items = []
    extra = {}
    for article_id in sorted(rows):
        if rows[article_id]["status"] != "processed":
            continue
        found, extra[article_id] = _article_statements(rows[article_id], by_article[article_id])
        items += found
    processed = {a: r for a, r in rows.items() if r["status"] == "processed"}
    return opposite_statements(items) + tolls(conn, story_id) + denials(items, processed, extra)


# article id -> (hash of its text, outlet, hash of its claims, its statements, its sentence denials, the cues): a
# story that changes is recomputed over all its articles, and each article's part is the same as long
# as its text and claims are. The least recently used fifth goes when it is full, so memory is bounded.
_ARTICLE_CACHE: dict[str, tuple] = {}
_ARTICLE_CACHE_SIZE = 3_000


def _article_statements(row: dict, claims: list[dict]) -> tuple[list[Statement], list[Statement]]:
    """(`statements`, `_sentence_denials`) of one article, remembered while its text and claims stay."""
    c = cues()
    claims_key = hash(tuple(tuple(r.items()) for r in claims))
    text_key = (len(row["text"] or ""), hash(row["text"]))
    hit = _ARTICLE_CACHE.pop(row["id"], None)
    if hit is not None and hit[5] is c and hit[0] == text_key and hit[1] == row["outlet"] and hit[2] == claims_key:
        _ARTICLE_CACHE[row["id"]] = hit   # again the most recently used
        return hit[3], hit[4]
    found = statements(row, claims)
    seen = {(s.article_id, s.sentence) for s in found if s.verb and s.verb.lower() in c.denial_verbs}
    extra = _sentence_denials(row["id"], row, seen)
    if len(_ARTICLE_CACHE) >= _ARTICLE_CACHE_SIZE:
        for article_id in list(_ARTICLE_CACHE)[:_ARTICLE_CACHE_SIZE // 5]:
            del _ARTICLE_CACHE[article_id]
    _ARTICLE_CACHE[row["id"]] = (text_key, row["outlet"], claims_key, found, extra, c)
    return found, extra


def update_contradictions(conn, story_ids: list[str]) -> int:
    """Recompute the contradictions of the stories that changed; returns how many were stored."""
    from .store import contradictions

    total = 0
    for story_id in story_ids:
        conn.execute(delete(contradictions).where(contradictions.c.story_id == story_id))
        found = story_contradictions(conn, story_id)
        if found:
            conn.execute(insert(contradictions), [
                {"story_id": story_id, "kind": c["kind"], "subject": c["subject"], "event_id": c["event_id"],
                 "a": json.dumps(c["a"], ensure_ascii=False), "b": json.dumps(c["b"], ensure_ascii=False),
                 "rule": c["rule"]} for c in found])
        total += len(found)
    return total
