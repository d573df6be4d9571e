"""Words for full-text search: how text is folded and cut into terms, and which index partitions
(term prefixes) a ticket's terms put it in.

Folding makes `Ünïcode`, `UNICODE` and full-width `ｕｎｉｃｏｄｅ` the same term: invisible characters
dropped, compatibility normalisation (width), case folding, then the accents of Latin, Greek and
Cyrillic letters dropped. Any character that is not a letter or
a digit separates words. Han and kana characters are words of one character each, since those
scripts do not separate words with spaces; a text in them is found by its characters.
"""
import re
import unicodedata

# A query may have more words; the search is driven by at most this many (see search.driving_words).
MAX_QUERY_WORDS = 8
# Each term puts its ticket in the partitions of its first 1..PREFIX_LENGTH characters; a longer
# query word is served by its first PREFIX_LENGTH characters and checked on the tickets read.
PREFIX_LENGTH = 8

# Characters that show as nothing (zero-width space, non-joiner and joiner, word joiner, byte order
# mark) or only reorder what is shown (bidi marks, embeddings, overrides and isolates): two strings
# that differ by them alone look the same, so names and words are compared without them.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff"
                      "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_WITHOUT_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))

_IDEOGRAPHIC = re.compile(
    "[\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0003134f]")


def visible(text: str) -> str:
    """`text` without its invisible characters."""
    return text.translate(_WITHOUT_INVISIBLE)


def identifier(text: str) -> str:
    """The one spelling of a name that people type and the API compares (a tag, a dedup key, an
    email address): without invisible characters, composed (NFC: `é` typed as one character or as
    `e` and a combining accent is one name), trimmed. Case is the caller's to decide."""
    return unicodedata.normalize("NFC", visible(text)).strip()


def fold(text: str) -> str:
    return "".join(_strip_accents(char) for char in unicodedata.normalize("NFKC", visible(text)).casefold())


def _strip_accents(char: str) -> str:
    # Accents only in the Latin, Greek and Cyrillic scripts: elsewhere (kana's voicing marks, Indic
    # vowel signs) the mark changes the letter.
    if not ("\u00c0" <= char < "\u0530" or "\u1e00" <= char < "\u2000"):
        return char
    return "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of `text`, in order, repeats kept."""
    found: list[str] = []
    current: list[str] = []
    for char in fold(text):
        if _IDEOGRAPHIC.match(char):
            if current:
                found.append("".join(current))
                current = []
            found.append(char)
        elif char.isalnum():
            current.append(char)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return found


def terms(*texts: str) -> set[str]:
    """The distinct words of several texts."""
    return {word for text in texts for word in words(text)}


def prefixes(all_terms: set[str] | frozenset[str]) -> set[str]:
    """The term-index partitions a ticket with these terms belongs to."""
    return {term[:length] for term in all_terms for length in range(1, min(len(term), PREFIX_LENGTH) + 1)}


def partition_of(word: str) -> str:
    """The term-index partition that holds every ticket with a term starting with `word`."""
    return word[:PREFIX_LENGTH]


def contains_all(ticket_terms: set[str] | frozenset[str], query_words: tuple[str, ...]) -> bool:
    """Every word is a term of the ticket; the last one may also be the start of a term."""
    if not query_words:
        return True
    *whole, last = query_words
    if any(word not in ticket_terms for word in whole):
        return False
    return last in ticket_terms or any(term.startswith(last) for term in ticket_terms)
