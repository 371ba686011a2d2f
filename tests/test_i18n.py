"""Both languages are complete: every text in the code is in the zh_CN catalogue, translated."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "app/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def source_messages() -> set:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / "app", method_map, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    assert len(found) > 200  # the extraction itself works
    return found


def test_every_source_text_is_translated_to_chinese():
    catalogue = read_po(CATALOGUE.open("rb"))
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id: m.string for m in catalogue if m.id}
    missing = sorted(m for m in source_messages() if not translated.get(m))
    assert missing == [], "run `make extract-messages` and translate: " + ", ".join(missing)


def test_placeholders_survive_translation():
    import re

    for message in read_po(CATALOGUE.open("rb")):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", " ".join(ids)))
        for text in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", text)) == wanted, message.id
