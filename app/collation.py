"""Names in the order people expect: Chinese names by pinyin, others alphabetically.

pypinyin gives each Han character its pinyin (with a tone number, so 李 li3 sorts before 丽 li4);
Latin letters pass through, so mixed lists read as one alphabet in both languages.
"""
from functools import lru_cache


@lru_cache(maxsize=16384)  # pypinyin takes ~0.1 ms a name; a meeting page sorts the same people several times
def name_key(name: str) -> tuple[str, str]:
    """A sort key for a person's name; the name itself breaks ties between homophones."""
    # Imported on first use: loading its dictionaries takes seconds, which every process (a gunicorn
    # worker, `flask notify` from cron) would otherwise pay at start whether it sorts names or not.
    from pypinyin import Style, lazy_pinyin

    spelled = " ".join(lazy_pinyin(name or "", style=Style.TONE3, errors="default"))
    return spelled.casefold(), name or ""
