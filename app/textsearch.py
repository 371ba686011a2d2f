"""Text search that works alike on SQLite and PostgreSQL, Chinese included.

A searchable record keeps a normalised copy of its text (`normalise`: NFKC, so full-width letters
and digits read as ASCII; case folded; runs of white space made one space). A search normalises the
words typed the same way and looks for each as a substring (`LIKE '%word%'` with `%`, `_` and `\\`
escaped), so a two-character Chinese word such as 异响 or 漏油 is found wherever it stands: Chinese
has no spaces between words, so word-based full-text indexes would miss it.
"""
import re
import unicodedata

MAX_QUERY = 200  # characters of a search that are used
MAX_WORDS = 8

_SPACE = re.compile(r"\s+")


def normalise(*parts) -> str:
    text = " ".join(str(p) for p in parts if p)
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def words(query: str) -> list[str]:
    """The distinct words of a search (split at spaces), normalised, at most MAX_WORDS."""
    seen = []
    for word in normalise((query or "")[:MAX_QUERY]).split(" "):
        if word and word not in seen:
            seen.append(word)
    return seen[:MAX_WORDS]


def like_pattern(word: str) -> str:
    """`%word%` for LIKE ... ESCAPE '\\': the word's own %, _ and \\ match only themselves."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(column, word: str):
    return column.like(like_pattern(word), escape="\\")
