"""The French catalog never falls behind the code.

`makemessages -l fr` runs on a temporary copy of the project (the repository is never touched),
for the `django` domain and, if any script ever holds a string, `djangojs`; every message it
extracts must have a French translation that is not marked fuzzy. A string added to the code
without its translation fails here, with its text.
"""

import shutil
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from tests.core.subprocess_env import ROOT, clean_env

COPIED = ["app", "manage.py", "settings.py"]


def copy_project(target):
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy2(source, target / name)


def extract(project, domain):
    """The messages `makemessages -l fr -d <domain>` leaves in the copy's catalog."""
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "-d", domain, "--no-location"],
        cwd=project,
        env=clean_env(DEBUG="True"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    po_path = project / "app" / "locale" / "fr" / "LC_MESSAGES" / f"{domain}.po"
    if not po_path.exists():  # no string at all in that domain
        return []
    with po_path.open("rb") as po_file:
        return [message for message in read_po(po_file) if message.id]


def problems(messages):
    untranslated, fuzzy = [], []
    for message in messages:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        elif message.fuzzy:
            fuzzy.append(message.id)
    return untranslated, fuzzy


@pytest.fixture(scope="module")
def xgettext():
    path = shutil.which("xgettext")
    assert path, "GNU gettext is missing: apt-get install gettext (Debian) or dnf install gettext (.ci/run does it)"
    return path


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_string_of_the_project_has_a_french_translation(xgettext, tmp_path, domain):
    copy_project(tmp_path)
    messages = extract(tmp_path, domain)
    untranslated, fuzzy = problems(messages)
    assert not untranslated, f"{len(untranslated)} string(s) without a French translation: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy translation(s): {fuzzy[:10]}"
    if domain == "django":
        assert len(messages) > 200  # the extraction really ran over the templates and the code


def test_a_string_added_without_its_translation_is_named(xgettext, tmp_path):
    copy_project(tmp_path)
    view = tmp_path / "app" / "web" / "views" / "sessions.py"
    view.write_text(view.read_text() + '\n\nNEW = _("A sentence nobody translated yet.")\n')
    untranslated, _ = problems(extract(tmp_path, "django"))
    assert untranslated == ["A sentence nobody translated yet."]
