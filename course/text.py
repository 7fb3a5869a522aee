"""Text tools for reading a news article closely: paragraphs, sentences, words, quotes and hedges.

Everything here is plain Python plus pandas and works on any English news text. The rules are
heuristics that a student can read, test and argue with: no language model, no downloads.

Conventions shared by every function:

* A *paragraph* is a block of text separated from the next one by a blank line (a line holding
  only whitespace). Paragraph numbers are 1-based positions in ``paragraphs(text)``.
* Inside a paragraph, runs of whitespace (including single line breaks) count as one space and
  the text is put in Unicode NFC form, so "Vučić" typed with a combining accent still matches.
* Double quotation marks are straight (``"``) or typographic (``“ ”``, ``„``, ``« »``). Single
  quotes are *not* treated as quotation marks, because in English they are also apostrophes
  ("Moscow's") and headline quote marks ('Ready').
* A non-string text raises ``TypeError`` and a bad option raises ``ValueError``; both name the
  argument. Empty text gives empty results.

* ``tokens``: letters and digits joined by an internal hyphen or apostrophe stay one token
  ("Kosovo-Serbia", "alliance's", "doesn't"), as do dotted acronyms ("U.S.") and numbers with
  separators ("3.5", "1,000"). A curly apostrophe is read as a straight one. Dashes ("--") and
  other punctuation are dropped.
* ``kwic`` and ``modal_phrases`` match whole words, where a hyphen or apostrophe *does* end a
  word: "Serbia" is found inside "Kosovo-Serbia" although ``tokens`` keeps that as one word.
  They are case-insensitive, so the hedge "may" also counts the month "May".

``find_quotes`` documents its attribution rules in the comment block above its helpers; read
them before trusting its ``speaker`` column.
"""

from __future__ import annotations

import numbers
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable

import pandas as pd

__all__ = [
    "HEDGES",
    "STOPWORDS",
    "find_quotes",
    "fold_accents",
    "kwic",
    "modal_phrases",
    "paragraphs",
    "quote_share",
    "sentences",
    "tokens",
    "word_frequencies",
]

# --------------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------------


def _wordset(words: str) -> frozenset[str]:
    # Lists are written as plain text so they are easy to read and extend.
    return frozenset(words.split())


# Written out rather than downloaded so the course runs offline and students can read it.
# Modal verbs are included: they carry little topic meaning; modal_phrases() counts them apart.
STOPWORDS: frozenset[str] = _wordset(
    """
    a about above across after again against all along also although am among an and any are
    aren't around as at be because been before being below between both but by can can't cannot
    could couldn't did didn't do does doesn't doing don't down during each either few for from
    further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
    herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself
    just let's may me might more most must mustn't my myself no nor not now of off on once only
    onto or other ought our ours ourselves out over own per same shall shan't she she'd she'll
    she's should shouldn't since so some such than that that's the their theirs them themselves
    then there there's these they they'd they'll they're they've this those though through to
    too toward towards under until up upon us very via was wasn't we we'd we'll we're we've were
    weren't what what's when when's where where's whether which while who who's whom why why's
    will with within without won't would wouldn't yet you you'd you'll you're you've your yours
    yourself yourselves s t
    """
)

# Phrases that soften or condition a claim. Multi-word entries are matched as phrases.
HEDGES: tuple[str, ...] = (
    "may",
    "might",
    "could",
    "would",
    "should",
    "must",
    "can",
    "cannot",
    "possibly",
    "perhaps",
    "probably",
    "likely",
    "unlikely",
    "reportedly",
    "allegedly",
    "apparently",
    "seems",
    "appears to",
    "seen as",
    "ready to",
    "aiming to",
    "aims to",
    "expected to",
    "in case",
    "if",
)

# Verbs (every form) that introduce reported speech in news writing. Left out on purpose:
# "declare"/"announce" ("declared independence") and forms that are mostly nouns ("the state",
# "notes", "a quote").
_SPEECH_VERBS = _wordset(
    """
    say says said saying tell tells told telling add adds added adding stated stating noted
    noting explain explains explained explaining ask asks asked asking reply replies replied
    replying answer answers answered answering respond responds responded insist insists
    insisted insisting stress stresses stressed stressing warn warns warned warning argue
    argues argued arguing claim claims claimed claiming acknowledge acknowledges
    acknowledged acknowledging admit admits admitted admitting comment comments commented
    commenting remark remarks remarked write writes wrote writing tweet tweets tweeted
    tweeting reiterate reiterates reiterated reiterating repeat repeats repeated repeating
    urge urges urged urging vow vows vowed vowing pledge pledges pledged pledging promise
    promises promised promising suggest suggests suggested suggesting conclude concludes
    concluded continue continues continued recall recalls recalled complain complains
    disagree disagrees disagreed deny denies denied denying counter counters countered
    retort retorts retorted
    complained emphasize emphasizes emphasized emphasizing emphasise emphasises emphasised
    emphasising underline underlines underlined underlining predict predicts predicted call
    calls called calling describe describes described describing quoted cited speak speaks
    spoke speaking
    """
)

# Personal titles and job words: they stop a person's name ("President | Aleksandar Vucic").
_TITLES = _wordset(
    """
    president vice-president prime minister premier chancellor secretary secretary-general
    general foreign defense defence interior finance deputy vice chief head spokesman
    spokeswoman spokesperson ambassador envoy commissioner chairman chairwoman chairperson chair
    director senator sen sen. representative rep rep. congressman congresswoman governor gov
    gov. mayor king queen prince princess pope patriarch bishop archbishop cardinal sheikh emir
    judge justice prosecutor professor prof prof. dr dr. doctor mr mr. mrs mrs. ms ms. miss sir
    dame lord lady rev rev. reverend colonel col col. lieutenant lt lt. captain capt capt.
    major sergeant sgt sgt. commander admiral marshal mp mep lawmaker leader counterpart
    officer official analyst adviser advisor editor correspondent negotiator mediator delegate
    coordinator state affairs minister's
    """
)

# Lower-case nouns that can be a speaker on their own ("officials said", "the bloc's").
_GROUP_NOUNS = _wordset(
    """
    leaders officials ministers ministry government governments bloc alliance union commission
    council committee parliament assembly court police authorities army military troops forces
    mission embassy office presidency administration cabinet party parties opposition
    delegation delegations diplomats diplomat sources source analysts experts critics observers
    residents protesters members lawmakers negotiators statement report agency agencies media
    newspaper daily group groups organization organisation company spokesmen side sides
    countries country states nations department foundation institute watchdog board family
    families campaigners activists voters citizens people officers soldiers peacekeepers team
    coalition movement ministries allies partners neighbors neighbours supporters prosecutors
    investigators insiders aides aide advisers
    """
)

# Lower-case words that may sit inside a speaker phrase without being a speaker themselves.
_MODIFIERS = _wordset(
    "former acting interim senior top junior local western eastern european international "
    "regional national federal outgoing incoming elected then ethnic"
)

# Capitalised words that begin sentences or name days and months, never a person.
_NOT_NAMES = _wordset(
    """
    later meanwhile however earlier separately instead still now today yesterday tomorrow also
    speaking asked according monday tuesday wednesday thursday friday saturday sunday january
    february march september october november december
    """
)

_PARTICLES = _wordset("von van der den de da di del della la le bin ibn al el du dos das ter")
_PRONOUNS = {"he": "person", "she": "person", "they": "group", "it": "group", "we": None, "i": None}
_DETERMINERS = frozenset({"the", "a", "an"})
# Words that may stand between a speaker and the verb: "Stoltenberg also said", "she has said".
_BETWEEN = _wordset(
    "also later again then earlier previously recently once further repeatedly only has have "
    "had was is were will would has been"
)

# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------

_OPEN_MARKS = '"“„«‟＂'
_QUOTE_MARKS_RE = re.compile('["“”„«»‟＂]')
_FIRST_LETTER_RE = re.compile(r"[^\W\d_]")
_TERMINATORS = ".!?…"
_TERM_RE = re.compile(r"[.!?…]+")
_CLOSERS = "\"'”’»›)]}"
_WORD_RE = re.compile(r"\S+")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
# Abbreviations written with dots between single letters: U.S, E.U, e.g (final dot excluded).
_ACRONYM_RE = re.compile(r"(?:[^\W\d_]\.){1,8}[^\W\d_]")

# One token: an acronym with dots (U.S.), a number with separators (3.5, 1,000), or a word whose
# parts are joined by a hyphen or apostrophe (Kosovo-Serbia, alliance's, doesn't). Every branch is
# bounded or cannot fail after a partial match, so the scan stays linear on any input.
_TOKEN_RE = re.compile(
    r"[^\W\d_](?:\.[^\W\d_]){1,8}\.?(?![^\W_])"
    r"|\d+(?:[.,]\d+)+"
    r"|[^\W_]+(?:[-\u2010\u2011'][^\W_]+)*"
)


def _check_text(value: object, name: str = "text") -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    return value


def _check_int(value: object, name: str, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    # bool is an int subclass, but top=True is always a mistake.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        expected = "an int or None" if allow_none else "an int"
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be 0 or more, got {value}")
    return int(value)


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return value


def _check_words(value: object, name: str) -> list[str]:
    # A lone string is iterable too, but iterating it gives letters, which is never meant.
    if isinstance(value, str):
        raise TypeError(f"{name} must be a collection of str (e.g. a set or list), not one str")
    # Iterating a DataFrame gives its column names, which is never meant either.
    if isinstance(value, pd.DataFrame):
        raise TypeError(
            f"{name} must be a collection of str, got a DataFrame; pick one column, e.g. df['word']"
        )
    if not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a collection of str, got {type(value).__name__}")
    words = list(value)
    for word in words:
        if not isinstance(word, str):
            raise TypeError(f"{name} must contain only str, got {type(word).__name__}")
    return words


def fold_accents(text: str) -> str:
    """Drop diacritics, fold case and runs of white space: 'Vučić ' and 'VUCIC' give 'vucic'.

    The one place the course compares names regardless of how they are typed: the article writes
    "Vucic", the datasets "Vučić". Letters without a plain decomposition (Cyrillic, 'đ') are kept.
    Raises TypeError for anything but str.
    """
    _check_text(text)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def _norm(block: str) -> str:
    return unicodedata.normalize("NFC", " ".join(block.split()))


def _frame(columns: dict[str, str], rows: list[tuple]) -> pd.DataFrame:
    # Build column by column so an empty result still has the right columns and dtypes.
    data = {name: [row[i] for row in rows] for i, name in enumerate(columns)}
    return pd.DataFrame(
        {name: pd.Series(data[name], dtype=dtype) for name, dtype in columns.items()}
    )


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    # splitlines() knows every Unicode line break, so a "blank line" means the same everywhere.
    spans: list[tuple[int, int]] = []
    start: int | None = None
    end = 0
    pos = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            if start is None:
                start = pos + len(line) - len(line.lstrip())
            end = pos + len(line.rstrip())
        elif start is not None:
            spans.append((start, end))
            start = None
        pos += len(line)
    if start is not None:
        spans.append((start, end))
    return spans


def _quote_spans(p: str) -> list[tuple[int, int | None]]:
    """(open, close) positions of double quotes in one paragraph; close is None if left open."""
    spans: list[tuple[int, int | None]] = []
    open_at: int | None = None
    opener = ""
    for m in _QUOTE_MARKS_RE.finditer(p):
        mark = m.group()
        if open_at is None:
            # A stray closing mark (” or ») cannot start a quote; skipping it keeps pairs aligned.
            if mark in _OPEN_MARKS:
                open_at, opener = m.start(), mark
        elif mark in '"”»＂' or (mark == "“" and opener == "„"):
            spans.append((open_at, m.start()))
            open_at = None
    if open_at is not None:
        spans.append((open_at, None))
    return spans


# --------------------------------------------------------------------------------------------
# Paragraphs, sentences, tokens
# --------------------------------------------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    """Split text into blocks separated by blank lines, stripped, with empty blocks dropped."""
    _check_text(text)
    return [text[start:end] for start, end in _paragraph_spans(text)]


_ABBREV_TITLES = _wordset(
    "mr mrs ms dr prof gen sen rep gov lt col sgt capt cmdr adm rev hon pres supt det insp "
    "messrs mme mlle fr atty amb"
)
_ABBREV_BEFORE_NUMBER = _wordset(
    "no nos vol art p pp fig ch sec para op jan feb mar apr jun jul aug sep sept oct nov dec"
)
_ABBREV_OTHER = _wordset(
    "st mt ft jr sr inc ltd co corp bros etc vs approx dept est govt univ assn ave blvd rd cf al"
)
# Words that usually open a sentence: after "U.S." or "Inc." they show that the sentence ended.
_STARTERS = _wordset(
    "the a an he she it they we i you this that these those there his her its their our my but "
    "and or so yet in on at as if when while after before however also then for with by from "
    "what who which why how one some many most all both each no not to of meanwhile still since "
    "although though"
)


def _next_words_have_speech_verb(p: str, k: int) -> bool:
    for raw in p[k : k + 80].split()[:6]:
        if raw.strip(_STRIP).lower() in _SPEECH_VERBS and _is_verb(_Word(0, raw)):
            return True
        if raw[-1] in _TRAIL_CHARS:
            return False
    return False


def _is_boundary(
    p: str, m: re.Match[str], j: int, k: int, spans: list[tuple[int, int | None]], opens: list[int]
) -> bool:
    nxt = p[k]
    # Sentences start with a capital, a digit or a quote mark; "?" he asked. stays together.
    if nxt.islower() or nxt in ",;:":
        return False
    term = m.group()
    closers = p[m.end() : j]
    if closers and any(c in closers for c in "\"”’'»") and _next_words_have_speech_verb(p, k):
        return False  # "Why?" Smith asked.
    if closers:
        return True
    if term.startswith("..") or "…" in term:
        # An ellipsis inside a quotation marks words left out, not the end of a sentence.
        i = bisect_right(opens, m.start()) - 1
        if i >= 0:
            close = spans[i][1]
            if close is None or m.start() < close:
                return False
        return True
    if term != ".":
        return True
    word_start = p.rfind(" ", 0, m.start()) + 1
    prev = p[word_start : m.start()].lstrip("\"'“‘([{")
    low = prev.lower()
    if low in _ABBREV_TITLES:
        return False
    if low in _ABBREV_BEFORE_NUMBER:
        return not nxt.isdigit()
    if low in _ABBREV_OTHER or _ACRONYM_RE.fullmatch(prev) or (len(prev) == 1 and prev.isupper()):
        # "U.S. President" continues; "the U.S. The talks" is a new sentence.
        nxt_word = _LETTERS_RE.match(p, k)
        word = nxt_word.group() if nxt_word else ""
        return word[:1].isupper() and word.lower() in _STARTERS
    return True


def _sentence_bounds(p: str, spans: list[tuple[int, int | None]]) -> list[tuple[int, int]]:
    """Sentence (start, end) positions in one whitespace-normalised paragraph."""
    opens = [o for o, _ in spans]
    bounds: list[tuple[int, int]] = []
    start = 0
    n = len(p)
    for m in _TERM_RE.finditer(p):
        j = m.end()
        while j < n and p[j] in _CLOSERS:
            j += 1
        if j + 1 >= n or p[j] != " ":
            continue
        if _is_boundary(p, m, j, j + 1, spans, opens):
            bounds.append((start, j))
            start = j + 1
    bounds.append((start, n))
    return [(s, e) for s, e in bounds if s < e]


def sentences(text: str) -> list[str]:
    """Split text into sentences, keeping abbreviations, decimals and closing quotes intact."""
    _check_text(text)
    out: list[str] = []
    for block in paragraphs(text):
        p = _norm(block)
        out.extend(p[s:e] for s, e in _sentence_bounds(p, _quote_spans(p)))
    return out


def tokens(text: str, *, lower: bool = True) -> list[str]:
    """Split text into word tokens (hyphenated words, contractions and possessives stay whole)."""
    _check_text(text)
    _check_bool(lower, "lower")
    # One apostrophe form, so "doesn’t" and "doesn't" count as the same word.
    clean = unicodedata.normalize("NFC", text).replace("’", "'")
    found = _TOKEN_RE.findall(clean)
    return [t.lower() for t in found] if lower else found


def word_frequencies(
    text: str, stopwords: Iterable[str] | None = STOPWORDS, *, top: int | None = None
) -> pd.DataFrame:
    """Count words (lower-cased, stopwords removed) with their share of all counted words."""
    _check_text(text)
    stop: set[str] = set()
    if stopwords is not None:
        stop = {
            unicodedata.normalize("NFC", w).replace("’", "'").lower()
            for w in _check_words(stopwords, "stopwords")
        }
    limit = _check_int(top, "top", allow_none=True)
    counts = Counter(t for t in tokens(text) if t not in stop)
    total = sum(counts.values())
    # Ties are broken alphabetically so the table is the same on every run.
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if limit is not None:
        items = items[:limit]
    rows = [(word, count, count / total) for word, count in items]
    return _frame({"word": "str", "count": "int64", "share": "float64"}, rows)


# --------------------------------------------------------------------------------------------
# Keyword in context and hedges
# --------------------------------------------------------------------------------------------


def _phrase_regex(phrase: str, *, whole_word: bool, ignore_case: bool = True) -> re.Pattern[str]:
    words = phrase.split(" ")
    body = " ".join(re.escape(w) for w in words)
    # Word edges are checked only where the phrase itself starts or ends with a letter/digit,
    # so "U.S." or "--" can be searched too. Hyphens and apostrophes count as edges:
    # "Serbia" is found in "Kosovo-Serbia" and "NATO" in "NATO's".
    # The start-of-word check is written as a look-behind *after* the phrase, so the regex
    # begins with a literal and the engine can jump between candidates quickly.
    before = rf"(?<![^\W_]{body})" if words[0][0].isalnum() else ""
    after = r"(?![^\W_])" if words[-1][-1].isalnum() else ""
    if not whole_word:
        after = r"[^\W_]*"  # prefix search: run on to the end of the word
    return re.compile(body + before + after, re.IGNORECASE if ignore_case else 0)


def _joined_paragraphs(text: str) -> tuple[str, list[int]]:
    # Paragraphs joined by "\n" (never a space after _norm), so no phrase matches across two.
    blocks = [_norm(b) for b in paragraphs(text)]
    starts: list[int] = []
    pos = 0
    for block in blocks:
        starts.append(pos)
        pos += len(block) + 1
    return "\n".join(blocks), starts


def kwic(text: str, keyword: str, width: int = 40, *, whole_word: bool = True) -> pd.DataFrame:
    """Show every occurrence of keyword (case-insensitive) with up to width characters around it."""
    _check_text(text)
    _check_text(keyword, "keyword")
    width = _check_int(width, "width")
    _check_bool(whole_word, "whole_word")
    phrase = _norm(keyword)
    if not phrase:
        raise ValueError("keyword must not be empty or only whitespace")
    pattern = _phrase_regex(phrase, whole_word=whole_word)
    joined, starts = _joined_paragraphs(text)
    rows = []
    for m in pattern.finditer(joined):
        s, e = m.span()
        i = bisect_right(starts, s) - 1
        p_start = starts[i]
        p_end = starts[i + 1] - 1 if i + 1 < len(starts) else len(joined)
        left = joined[max(p_start, s - width) : s].strip()
        right = joined[e : min(p_end, e + width)].strip()
        rows.append((i + 1, left, m.group(), right))
    return _frame({"paragraph": "int64", "left": "str", "match": "str", "right": "str"}, rows)


def modal_phrases(text: str, phrases: Iterable[str] = HEDGES) -> pd.DataFrame:
    """Count hedging and modal phrases (whole words, case-insensitive), most frequent first."""
    _check_text(text)
    wanted: list[str] = []
    seen: set[str] = set()
    for raw in _check_words(phrases, "phrases"):
        phrase = _norm(raw)
        if not phrase:
            raise ValueError("phrases must not contain an empty or whitespace-only phrase")
        if phrase.lower() not in seen:
            seen.add(phrase.lower())
            wanted.append(phrase)
    # Lower-casing once is much faster than a case-insensitive search per phrase.
    joined = _joined_paragraphs(text)[0].lower()
    rows = []
    for phrase in wanted:
        pattern = _phrase_regex(phrase.lower(), whole_word=True, ignore_case=False)
        rows.append((phrase, sum(1 for _ in pattern.finditer(joined))))
    rows.sort(key=lambda row: (-row[1], row[0].lower()))
    return _frame({"phrase": "str", "count": "int64"}, rows)


# --------------------------------------------------------------------------------------------
# Quotations
#
# How find_quotes works, in order:
#  1. In each paragraph, double quote marks are paired left to right. A quote still open at the
#     end of a paragraph continues into the next paragraph if that one starts with a quote mark
#     (the news convention for long quotations); otherwise it ends with its paragraph.
#  2. The quoted words are masked out, so speech verbs and names *inside* a quotation can never
#     be mistaken for its attribution, and the paragraph is split into sentences.
#  3. A quote is "full" when it starts a sentence or follows "said:" / "said," with a capital;
#     anything else is a "partial" quote (a fragment inside the writer's sentence).
#  4. Speaker, first match wins (full quotes look after the quote first, partial ones before):
#     - "named after":  "...," Stoltenberg said / "...," said Stoltenberg / according to X.
#     - "named before": X said (he expected) "..." -- the subject of the nearest speech verb
#       before the quote in the same sentence.
#     - "sentence subject": the sentence has a speech verb before the quote, but no clean subject
#       just before that verb (EU leaders stopped short ..., only reiterating the bloc's "...").
#     - "pronoun": "...," he said -- he/she is the last *person* named as a speaker (of a quote
#       or of a speech verb outside quotes: 'Jones disagreed.', 'According to Smith, ...');
#       they/it is the last group named as a speaker (officials, the ministry).
#     - "continued": a full quote with no attribution of its own that opens the sentence right
#       after a quoted speaker's sentence ('"We tried," Smith said. "But we failed."'), or opens
#       the paragraph after one whose full quote had a speaker (a speaker's second paragraph).
#       A sentence in between ('Talks resumed.') breaks the chain: then the speaker is None.
#     - otherwise speaker is None. The rules never guess from a name that is merely nearby.
#  5. Person names are reported at their fullest in the whole text, titles stripped: "Vucic"
#     becomes "Aleksandar Vucic" if "Serbian President Aleksandar Vucic" appears anywhere.
# --------------------------------------------------------------------------------------------

_LEAD_CHARS = "\"'“‘„«‹([{<‟＂—–-*"
_TRAIL_CHARS = ".,;:!?\"'”’»›)]}>…—–-*"
_STRIP = _LEAD_CHARS + _TRAIL_CHARS
_QUOTE_MARKS = '"“”„«»‟＂'


class _Word:
    """One whitespace-separated token with its punctuation peeled off."""

    __slots__ = ("base", "lead", "low", "pos", "text", "trail")

    def __init__(self, pos: int, raw: str) -> None:
        i, j = 0, len(raw)
        while i < j and raw[i] in _LEAD_CHARS:
            i += 1
        while j > i and raw[j - 1] in _TRAIL_CHARS:
            j -= 1
        text, trail = raw[i:j], raw[j:]
        # The dot of "U.S." or "Mr." belongs to the word, not to the sentence.
        if trail.startswith(".") and (
            _ACRONYM_RE.fullmatch(text) or text.lower() in _ABBREV_TITLES
        ):
            text, trail = text + ".", trail[1:]
        base = text
        if len(base) > 2 and base[-2:] in ("'s", "’s"):
            base = base[:-2]
        self.pos, self.lead, self.text, self.trail, self.base = pos, raw[:i], text, trail, base
        self.low = base.lower()


def _is_verb(w: _Word) -> bool:
    return not w.lead and w.low in _SPEECH_VERBS


def _is_name_word(w: _Word) -> bool:
    if not w.base[:1].isupper():
        return False
    acronym = len(w.base) > 1 and w.base.replace(".", "").isupper()
    return (w.low not in STOPWORDS or acronym) and w.low not in _NOT_NAMES


def _is_role(w: _Word) -> bool:
    return w.low in _TITLES or w.low in _GROUP_NOUNS


def _is_np_word(w: _Word) -> bool:
    return _is_name_word(w) or _is_role(w) or w.low in _MODIFIERS


def _is_pronoun(w: _Word) -> bool:
    return w.low in _PRONOUNS and w.text == w.base and not w.lead


def _is_particle(w: _Word) -> bool:
    return w.text in _PARTICLES


def _is_speech_at(words: list[_Word], i: int) -> bool:
    if not _is_verb(words[i]):
        return False
    # "has added to calls" is not speech; "added:" is.
    return not (words[i].low.startswith("add") and i + 1 < len(words) and words[i + 1].low == "to")


class _Phrase:
    """A speaker phrase: a pronoun, or words naming a person or group."""

    __slots__ = ("pronoun", "words")

    def __init__(self, words: list[_Word], pronoun: str | None = None) -> None:
        self.words = words
        self.pronoun = pronoun


def _joins(left: _Word, link: _Word, right: _Word) -> bool:
    """True for the small words inside one speaker phrase: "Kosovo and Serbia",
    "Secretary of State"."""
    if link.low == "and":
        return _is_name_word(left) and _is_name_word(right)
    return link.low == "of" and left.low in _TITLES and _is_name_word(right)


def _finish_phrase(words: list[_Word]) -> _Phrase | None:
    while words and (_is_particle(words[0]) or words[0].low in ("and", "of")):
        words = words[1:]
    while words and (_is_particle(words[-1]) or words[-1].low in ("and", "of")):
        words = words[:-1]
    if any(_is_name_word(w) or _is_role(w) for w in words):
        return _Phrase(words)
    return None


def _phrase_before(words: list[_Word], v: int, limit: int = 10) -> _Phrase | None:
    """The speaker phrase ending just before words[v] ("NATO chief Jens Stoltenberg | said")."""
    k = v - 1
    while k >= 0 and v - k <= 3 and words[k].low in _BETWEEN and not words[k].trail:
        k -= 1
    if k < 0:
        return None
    if words[k].trail:
        # "Kosovo's prime minister, Albin Kurti, said": a name set off by commas is the speaker.
        # "Smith, a spokesman, said" is not a name; the sentence subject rule handles it.
        return _appositive_name(words, k) if words[k].trail == "," else None
    if _is_pronoun(words[k]):
        return _Phrase([words[k]], words[k].low)
    got: list[_Word] = []
    j = k
    while j >= 0 and k - j < limit:
        w = words[j]
        if j < k and (w.trail or words[j + 1].lead):
            break
        if w.low in _DETERMINERS:
            got.append(w)
            break
        joins = bool(got) and j > 0 and not w.trail and _joins(words[j - 1], w, got[-1])
        if _is_np_word(w) or (got and _is_particle(w)) or joins:
            got.append(w)
            j -= 1
            continue
        break
    got.reverse()
    return _finish_phrase(got)


def _appositive_name(words: list[_Word], k: int) -> _Phrase | None:
    got: list[_Word] = [words[k]]
    j = k - 1
    while j >= 0 and k - j < 5 and not words[j].trail and not words[j + 1].lead:
        if not (_is_name_word(words[j]) or _is_particle(words[j])):
            return None
        got.append(words[j])
        j -= 1
    # The name must itself follow a comma ("..., Albin Kurti,") and hold only name words.
    if j < 0 or words[j].trail != "," or not all(_is_name_word(w) or _is_particle(w) for w in got):
        return None
    got.reverse()
    return _finish_phrase(got)


def _phrase_after(words: list[_Word], k: int, limit: int = 10) -> tuple[_Phrase | None, int]:
    """The speaker phrase starting at words[k], and the index just after it."""
    n = len(words)
    while k < n and not words[k].text:
        k += 1  # a lone comma or dash after a closing quote mark
    if k >= n:
        return None, k
    if _is_pronoun(words[k]):
        return _Phrase([words[k]], words[k].low), k + 1
    got: list[int] = []
    j = k
    if words[j].low in _DETERMINERS and not words[j].trail:
        got.append(j)
        j += 1
    while j < n and j - k < limit:
        w = words[j]
        if got and (words[j - 1].trail or w.lead):
            break
        joins = bool(got) and j + 1 < n and not w.trail and _joins(words[got[-1]], w, words[j + 1])
        if _is_np_word(w) or (got and _is_particle(w)) or joins:
            got.append(j)
            j += 1
            continue
        break
    phrase = _finish_phrase([words[i] for i in got])
    if phrase is None:
        return None, k
    # _finish_phrase may drop a dangling "and"/"of"; continue right after the last kept word.
    last = phrase.words[-1]
    return phrase, next(i for i in reversed(got) if words[i] is last) + 1


def _attribution_after(words: list[_Word], k: int) -> _Phrase | None:
    """Speaker named right after a closing quote: '"...," he said' or '"...," said Smith'."""
    n = len(words)
    while k < n and not words[k].text:
        k += 1
    if k >= n or (words[k].lead and words[k].lead[0] in _QUOTE_MARKS):
        return None  # the next thing is another quotation, not an attribution
    if _is_speech_at(words, k):
        return _phrase_after(words, k + 1)[0]
    if words[k].low == "according" and k + 1 < n and words[k + 1].low == "to":
        return _phrase_after(words, k + 2)[0]
    phrase, j = _phrase_after(words, k)
    if phrase is None or words[j - 1].trail:
        return None
    while j < n and j - k < 12 and words[j].low in _BETWEEN and not words[j].trail:
        j += 1
    if j < n and _is_speech_at(words, j):
        return phrase
    return None


_VERB_HINTS = _SPEECH_VERBS | {"according"}


class _Words:
    """The words of one sentence, each turned into a _Word only when a rule looks at it."""

    __slots__ = ("_cache", "_raw", "pos")

    def __init__(self, text: str, offset: int) -> None:
        found = list(_WORD_RE.finditer(text))
        self.pos = [offset + m.start() for m in found]
        self._raw = [m.group() for m in found]
        self._cache: list[_Word | None] = [None] * len(found)

    def __len__(self) -> int:
        return len(self._raw)

    def raw(self, i: int) -> str:
        return self._raw[i]

    def __getitem__(self, i: int) -> _Word:
        word = self._cache[i]
        if word is None:
            word = self._cache[i] = _Word(self.pos[i], self._raw[i])
        return word

    def candidates(self) -> list[int]:
        # A cheap string test finds the few words that might be speech verbs.
        return [i for i, raw in enumerate(self._raw) if raw.strip(_STRIP).lower() in _VERB_HINTS]


class _Sentence:
    """One sentence of a masked paragraph, with its speech verbs and their speakers."""

    __slots__ = ("last_valid", "subject", "verb_pos", "verbs", "word_pos", "words")

    def __init__(self, masked: str, start: int, end: int) -> None:
        words = self.words = _Words(masked[start:end], start)
        self.word_pos = words.pos
        self.verbs: list[tuple[int, _Phrase | None]] = []
        for i in words.candidates():
            w = words[i]
            if _is_speech_at(words, i):
                self.verbs.append((w.pos, _phrase_before(words, i)))
            elif w.low == "according" and i + 1 < len(words) and words[i + 1].low == "to":
                self.verbs.append((w.pos, _phrase_after(words, i + 2)[0]))
        self.verb_pos = [pos for pos, _ in self.verbs]
        # last_valid[i]: the latest verb at or before i whose speaker phrase was found.
        self.last_valid: list[int | None] = []
        latest = None
        for i, (_, phrase) in enumerate(self.verbs):
            if phrase is not None:
                latest = i
            self.last_valid.append(latest)
        self.subject = _phrase_after(words, 0)[0] if words else None

    def before(self, pos: int) -> tuple[_Phrase, str] | None:
        i = bisect_left(self.verb_pos, pos) - 1
        if i < 0:
            return None
        latest = self.last_valid[i]
        if latest is not None:
            phrase = self.verbs[latest][1]
            if phrase is not None:
                return phrase, "named before"
        if self.subject is not None:
            return self.subject, "sentence subject"
        return None

    def after(self, close: int) -> _Phrase | None:
        k = bisect_right(self.word_pos, close)
        if k < len(self.words) and self.words.raw(k)[0] in _QUOTE_MARKS:
            return None  # another quotation follows at once: no attribution in between
        return _attribution_after(self.words, k)


class _Names:
    """Every capitalised name run in the text, to report a speaker's name at its fullest."""

    def __init__(self, blocks: list[str]) -> None:
        self._by_last: dict[str, list[tuple[str, ...]]] = {}
        self._titled: set[str] = set()
        for p in blocks:
            run: list[_Word] = []
            before = ""  # the raw word before the current run, to spot a title
            for raw in p.split():
                # Only capitalised words and name particles can belong to a name; skipping the
                # rest without building a _Word keeps long texts fast.
                if not (raw.lstrip(_LEAD_CHARS)[:1].isupper() or (run and raw in _PARTICLES)):
                    self._add(run, before)
                    before, run = raw, []
                    continue
                w = _Word(0, raw)
                if run and (run[-1].trail or w.lead):
                    self._add(run, before)
                    before, run = run[-1].text, []
                if _is_name_word(w) or (run and _is_particle(w)):
                    run.append(w)
                else:
                    self._add(run, before)
                    before, run = raw, []
            self._add(run, before)

    @staticmethod
    def name_part(words: list[_Word]) -> tuple[tuple[str, ...], bool]:
        """The trailing name in a run of words (titles stripped) and whether a title preceded it."""
        name: list[_Word] = []
        for w in reversed(words):
            if name and _is_particle(w):
                name.append(w)
                continue
            acronym = len(w.base) > 1 and w.base.replace(".", "").isupper()
            if _is_name_word(w) and not _is_role(w) and not acronym and len(name) < 4:
                name.append(w)
                continue
            break
        while name and _is_particle(name[-1]):
            name.pop()
        titled = len(name) < len(words) and words[len(words) - len(name) - 1].low in _TITLES
        return tuple(w.base for w in reversed(name)), titled

    def _add(self, run: list[_Word], before: str) -> None:
        if not run:
            return
        name, titled = self.name_part(run)
        if not name:
            return
        if titled or (len(name) == len(run) and before and _Word(0, before).low in _TITLES):
            self._titled.add(name[-1])
        known = self._by_last.setdefault(name[-1], [])
        if name not in known:
            known.append(name)

    def speaker(self, phrase: _Phrase) -> tuple[str, str]:
        """Text to report for a named phrase, and whether it is a "person", a "group" or
        "either" (one unknown capitalised word: "Smith" or "Serbia")."""
        words = phrase.words
        last = words[-1]
        last_acronym = len(last.base) > 1 and last.base.replace(".", "").isupper()
        has_and = any(w.low == "and" for w in words)
        if not has_and and _is_name_word(last) and not _is_role(last) and not last_acronym:
            name, titled = self.name_part(words)
            if name:
                best = name
                for candidate in self._by_last.get(name[-1], []):
                    if len(candidate) > len(best) and candidate[-len(name) :] == name:
                        best = candidate
                if len(best) >= 2 or titled or best[-1] in self._titled:
                    return " ".join(best), "person"
                if len(words) == 1:
                    return best[0], "either"
        shown = [w.text for w in words[:-1]] + [last.base]
        # "Officials said" is capitalised only because it opens the sentence.
        if shown[0].lower() in _DETERMINERS or shown[0].lower() in _GROUP_NOUNS:
            shown[0] = shown[0].lower()
        return " ".join(shown), "group"


def _mask(p: str, spans: list[tuple[int, int | None]]) -> str:
    # Same length as p, quote marks kept, quoted words replaced by "_": one placeholder word.
    pieces: list[str] = []
    prev = 0
    for o, c in spans:
        end = len(p) if c is None else c
        pieces.append(p[prev : o + 1])
        pieces.append("_" * (end - o - 1))
        prev = end
    pieces.append(p[prev:])
    return "".join(pieces)


def _quote_kind(p: str, o: int, c: int | None, content: str) -> str:
    before = p[max(0, o - 120) : o].rstrip()
    letter = _FIRST_LETTER_RE.search(content)
    first = letter.group() if letter else ""
    if (
        not before
        or before[-1] in _TERMINATORS
        or (before[-1] in _CLOSERS and len(before) > 1 and before[-2] in _TERMINATORS)
    ):
        # At a sentence start the quote is a whole sentence only if it is punctuated as one:
        # '"We are ready," he said' but not '"Reforms" are needed'.
        tail = p[c + 1 : c + 2] if c is not None else ""
        ends = content[-1:] + (tail or ".")  # nothing after the quote: it ends the paragraph
        return "full" if any(ch in ".,!?…:;—–-" for ch in ends) else "partial"
    if before[-1] == ":":
        return "partial" if first.islower() else "full"
    if first.isupper() and _is_verb(_Word(0, before.rstrip(",").rsplit(" ", 1)[-1])):
        return "full"  # said "We will ..." / said, "We will ..."
    return "partial"


class _Quote:
    __slots__ = ("close", "end_para", "kind", "open", "pieces", "start_para")

    def __init__(self, para: int, o: int, content: str, kind: str) -> None:
        self.start_para, self.open, self.pieces, self.kind = para, o, [content], kind
        self.end_para, self.close = para, None  # close stays None for a quote never closed


def _content(p: str, o: int, c: int | None) -> str:
    return p[o + 1 : len(p) if c is None else c].strip()


def _collect_quotes(
    blocks: list[str], all_spans: list[list[tuple[int, int | None]]]
) -> list[_Quote]:
    quotes: list[_Quote] = []
    pending: _Quote | None = None
    for pi, p in enumerate(blocks):
        spans = list(all_spans[pi])
        if pending is not None:
            if spans and spans[0][0] == 0:
                o, c = spans.pop(0)
                pending.pieces.append(_content(p, o, c))
                pending.end_para = pi
                if c is None:
                    continue  # still open: the quotation runs on into the next paragraph
                pending.close = c
                quotes.append(pending)
            else:
                quotes.append(pending)
            pending = None
        for o, c in spans:
            content = _content(p, o, c)
            quote = _Quote(pi, o, content, _quote_kind(p, o, c, content))
            if c is None:
                pending = quote
            else:
                quote.close = c
                quotes.append(quote)
    if pending is not None:
        quotes.append(pending)
    return quotes


def _is_interruption(between: str) -> bool:
    """True for the ', he said, ' between two halves of one interrupted quotation."""
    between = between.strip()
    words = between.split()
    if not between.endswith(",") or not 2 <= len(words) <= 8:
        return False
    parsed = [_Word(0, w) for w in words]
    return any(_is_speech_at(parsed, i) for i in range(len(parsed)))


def _count_words(text: str) -> int:
    return len(_TOKEN_RE.findall(text.replace("’", "'")))


_ALNUM_RE = re.compile(r"[^\W_]")
_QUOTE_COLUMNS = {
    "speaker": "object",  # object, so a missing speaker is None rather than NaN
    "quote": "str",
    "paragraph": "int64",
    "kind": "str",
    "words": "int64",
    "attribution": "str",
}


class _Row:
    """One result row plus what the next quotation needs to know about it."""

    __slots__ = ("close", "end", "how", "kind", "paragraph", "quote", "raw_end", "speaker", "words")

    def as_tuple(self) -> tuple:
        return (self.speaker, self.quote, self.paragraph, self.kind, self.words, self.how)


def find_quotes(text: str) -> pd.DataFrame:
    """List the quotations in a text with their speaker, paragraph, kind and length in words.

    Columns: ``speaker`` (name at its fullest, titles removed; None when no rule finds one),
    ``quote``, ``paragraph`` (1-based, where the quote starts), ``kind`` ("full" or "partial"),
    ``words`` and ``attribution`` (which rule chose the speaker; see the module source).
    Only double quotation marks count; a final comma inside the quote is dropped.
    """
    _check_text(text)
    blocks = [_norm(b) for b in paragraphs(text)]
    all_spans = [_quote_spans(p) for p in blocks]
    quotes = _collect_quotes(blocks, all_spans)
    if not quotes:
        return _frame(_QUOTE_COLUMNS, [])
    names = _Names(blocks)

    sentences_of: list[list[_Sentence]] = []
    starts_of: list[list[int]] = []
    for p, spans in zip(blocks, all_spans, strict=True):
        masked = _mask(p, spans)
        bounds = _sentence_bounds(masked, [])
        sentences_of.append([_Sentence(masked, s, e) for s, e in bounds])
        starts_of.append([s for s, _ in bounds])

    def sentence_index(para: int, pos: int) -> int:
        return max(0, bisect_right(starts_of[para], pos) - 1)

    by_sentence: dict[tuple[int, int], list[_Quote]] = {}
    for q in quotes:
        at = q.close if q.close is not None else len(blocks[q.end_para]) - 1
        by_sentence.setdefault((q.end_para, sentence_index(q.end_para, at)), []).append(q)

    rows: list[_Row] = []
    last: dict[str, str | None] = {"person": None, "group": None}

    for pi, sents in enumerate(sentences_of):
        for si, sent in enumerate(sents):
            for q in by_sentence.get((pi, si), ()):
                quote = " ".join(piece for piece in q.pieces if piece)
                raw_end = quote[-1:]
                quote = quote.rstrip(", ")
                if not _ALNUM_RE.search(quote):
                    continue
                prev = rows[-1] if rows else None
                first = _FIRST_LETTER_RE.search(quote)
                if (
                    prev is not None
                    and prev.end == (pi, si)
                    and q.start_para == pi
                    and prev.raw_end in ",—–-…"
                    and first is not None
                    and first.group().islower()
                    and _is_interruption(blocks[pi][prev.close + 1 : q.open])
                ):
                    # '"We will win," he said, "and we will stay."' is one quotation.
                    prev.quote += " " + quote
                    prev.words = _count_words(prev.quote)
                    prev.close = q.close if q.close is not None else len(blocks[pi])
                    prev.raw_end = raw_end
                    continue
                speaker, how = _attribute(q, sentences_of, sentence_index, sent, names, last)
                if (
                    speaker is None
                    and q.kind == "full"
                    and prev is not None
                    and prev.speaker is not None
                    and (
                        # A speaker's next paragraph: '"...," Smith said.' / '"More ..."'
                        (q.open == 0 and prev.end[0] == q.start_para - 1 and prev.kind == "full")
                        # The next sentence: '"We tried," Smith said. "But we failed."'
                        or (
                            q.start_para == pi
                            and prev.end == (pi, si - 1)
                            and q.open - starts_of[pi][si] <= 3  # cheap test first: long texts
                            and not blocks[pi][starts_of[pi][si] : q.open].strip()
                        )
                    )
                ):
                    speaker, how = prev.speaker, "continued"
                row = _Row()
                row.speaker, row.quote, row.paragraph = speaker, quote, q.start_para + 1
                row.kind, row.words, row.how = q.kind, _count_words(quote), how
                row.end, row.raw_end = (pi, si), raw_end
                row.close = q.close if q.close is not None else len(blocks[pi])
                rows.append(row)
            # Names introduced as speakers outside quotes ("Jens Stoltenberg says ...") are what
            # a later "he said" refers to, so they update the memory after this sentence's quotes.
            for _, phrase in sent.verbs:
                if phrase is not None and phrase.pronoun is None:
                    speaker, kind = names.speaker(phrase)
                    # A lone surname ("Jones disagreed", "according to Smith") may be a person
                    # or a country, as in _attribute: either pronoun may refer to it later.
                    for slot in ("person", "group") if kind == "either" else (kind,):
                        last[slot] = speaker
    return _frame(_QUOTE_COLUMNS, [row.as_tuple() for row in rows])


def _attribute(
    q: _Quote,
    sentences_of: list[list[_Sentence]],
    sentence_index: Callable[[int, int], int],
    sent: _Sentence,
    names: _Names,
    last: dict[str, str | None],
) -> tuple[str | None, str]:
    """Apply the speaker rules (see the comment block above) to one quotation."""
    start_sents = sentences_of[q.start_para]
    before = None
    if start_sents:
        before = start_sents[sentence_index(q.start_para, q.open)].before(q.open)
    after = sent.after(q.close) if q.close is not None else None
    after_option = (after, "named after") if after is not None else None
    # News style puts the speaker after a full quote and before a partial one.
    order = [after_option, before] if q.kind == "full" else [before, after_option]
    options = [option for option in order if option is not None]
    for phrase, how in options:
        if phrase.pronoun is None:
            speaker, kind = names.speaker(phrase)
            # A lone surname may be a person or a country; either pronoun may refer to it later.
            for slot in ("person", "group") if kind == "either" else (kind,):
                last[slot] = speaker
            return speaker, how
    for phrase, _ in options:
        slot = _PRONOUNS[phrase.pronoun]
        speaker = last[slot] if slot else None
        return (speaker, "pronoun") if speaker else (None, "none")
    return None, "none"


_MAX_WORDS = 2**53  # far above any real count; below it a float count is exact and fits int64


def quote_share(quotes: pd.DataFrame) -> pd.DataFrame:
    """Total quoted words per speaker and their share of all quoted words, largest first."""
    if not isinstance(quotes, pd.DataFrame):
        raise TypeError(f"quotes must be a pandas DataFrame, got {type(quotes).__name__}")
    missing = [c for c in ("speaker", "words") if c not in quotes.columns]
    if missing:
        raise ValueError(f"quotes is missing column(s): {', '.join(missing)}")
    columns = {"speaker": "str", "quotes": "int64", "words": "int64", "share": "float64"}
    if quotes.empty:
        return _frame(columns, [])
    try:
        words = pd.to_numeric(quotes["words"], errors="raise")
    except (TypeError, ValueError):
        raise ValueError("quotes['words'] must hold numbers of words") from None
    # Infinite, fractional or huge counts used to raise OverflowError or be truncated silently.
    if (
        words.isna().any()
        or (words < 0).any()
        or (words > _MAX_WORDS).any()
        or (words != words.round()).any()
    ):
        raise ValueError("quotes['words'] must hold whole numbers of 0 or more")
    if int(words.sum()) > _MAX_WORDS:
        raise ValueError("quotes['words'] adds up to more words than any text holds")
    # Unattributed quotes are a finding in themselves, so they get a row instead of vanishing.
    speakers = [
        "(no speaker)" if s is None or (isinstance(s, float) and s != s) else str(s)
        for s in quotes["speaker"]
    ]
    totals: dict[str, list[int]] = {}
    for speaker, n in zip(speakers, words, strict=True):
        entry = totals.setdefault(speaker, [0, 0])
        entry[0] += 1
        entry[1] += int(n)
    grand = sum(entry[1] for entry in totals.values())
    rows = [
        (speaker, count, n, n / grand if grand else 0.0) for speaker, (count, n) in totals.items()
    ]
    rows.sort(key=lambda row: (-row[2], row[0]))
    return _frame(columns, rows)
