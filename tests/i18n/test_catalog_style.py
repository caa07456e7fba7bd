"""The French catalog reads as a Québec editor would write it, and never overrides Django's own words.

Read from the catalog itself (app/locale/fr/LC_MESSAGES/django.po); tests/i18n/test_catalog.py
already holds it complete against the code, so every string a person reads passes here.
"""

import logging
import re
from pathlib import Path

import django
import pytest
import rest_framework
import simple_history
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "app" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}|/api/\S*")


def entries(path):
    logging.getLogger("babel").setLevel(logging.ERROR)  # Django's own catalogs carry harmless warnings
    with path.open("rb") as file:
        return [message for message in read_po(file) if message.id]


def texts(message):
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return ids, strings


@pytest.fixture(scope="module")
def ours():
    return entries(CATALOG)


def test_no_machine_plural_anywhere(ours):
    # "1 billet(s) utilisé(s)" reads machine-made: counts go through ngettext / blocktranslate count.
    found = [text for message in ours for text in [*texts(message)[0], *texts(message)[1]] if "(s)" in text]
    assert not found, found


def test_a_string_with_a_count_in_a_plural_entry_reads_both_forms(ours):
    plural = [message for message in ours if isinstance(message.id, tuple)]
    assert len(plural) > 20
    for message in plural:
        one, many = message.string
        assert one and many and one != many, message.id


def test_french_punctuation_has_its_spaces(ours):
    # A no-break space before ":", a narrow one (or a no-break one) before ";", "?" and "!"; never
    # a plain space that would let the sign start a line, never no space at all.
    end = r"(?=\s|$)"
    wrong = []
    for message in ours:
        for text in texts(message)[1]:
            bare = PLACEHOLDER.sub("§", text).replace("force=true", "")
            if re.search(r" [:;?!]" + end, bare) or re.search(r"[\w)»…][;?!:]" + end, bare):
                wrong.append(text)
    assert not wrong, wrong


def test_quebec_usage(ours):
    rules = {
        r"\b[Ee]-?mail": "courriel, not e-mail",
        r"\bPage \S+ de\b": "Page 1 sur 4",
        r"\S x \S": "× for quantities",
        r"déjà commencée": "a déjà commencé",
        r"\bde [AEIOUÉ]": "de l’…",
        r"\"\w[^\"]*\"": "« guillemets »",
    }
    wrong = []
    for message in ours:
        for text in texts(message)[1]:
            bare = PLACEHOLDER.sub("§", text)
            wrong += [(rule, text) for pattern, rule in rules.items() if re.search(pattern, bare)]
    assert not wrong, wrong


def django_catalogs():
    roots = [Path(django.__file__).parent, Path(rest_framework.__file__).parent, Path(simple_history.__file__).parent]
    return [path for root in roots for path in root.glob("**/locale/fr/LC_MESSAGES/django.po")]


def test_django_own_words_are_never_overridden(ours):
    # One catalog wins for a msgid: ours. "Change" translated for the ledger made every admin
    # "Modifier" link read "Variation"; a word with two meanings takes a context (pgettext) instead.
    theirs = {}
    for path in django_catalogs():
        for message in entries(path):
            if message.string and all(texts(message)[1]):
                theirs[(message.context, texts(message)[0][0])] = texts(message)[1]
    assert len(theirs) > 500
    overridden = [
        (message.id, message.string, theirs[key])
        for message in ours
        if (key := (message.context, texts(message)[0][0])) in theirs and texts(message)[1] != theirs[key]
    ]
    assert not overridden, overridden


def test_the_admin_change_link_reads_modifier_in_french(staff_browser):
    page = staff_browser.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Modifier" in page and "Variation" not in page
