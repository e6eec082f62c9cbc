"""Every user-visible string is translatable and translated; the compiled catalogue is committed."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def entries(text):
    """(msgid, msgstr, flags) for each entry of a .po file, header excluded; msgstr[0] for plurals."""
    result = []
    for block in text.split("\n\n"):
        fields, current, flags = {}, None, ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += line
                continue
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*"(.*)"$', line)
            if match:
                current = match.group(1) or current
                fields[current] = fields.get(current, "") + match.group(2)
        if fields.get("msgid"):
            msgid = fields.get("msgctxt", "") + "\x04" + fields["msgid"]
            result.append((msgid, fields.get("msgstr", fields.get("msgstr[0]", "")), flags))
    return result


def test_every_message_is_translated_to_vietnamese():
    items = entries(PO.read_text(encoding="utf-8"))
    assert len(items) > 100
    untranslated = [msgid for msgid, msgstr, _ in items if not msgstr]
    fuzzy = [msgid for msgid, _, flags in items if "fuzzy" in flags]
    assert untranslated == [] and fuzzy == []


def test_compiled_catalogue_is_committed_and_current():
    assert MO.exists()
    if shutil.which("msgfmt"):
        fresh = subprocess.run(["msgfmt", "-o", "-", str(PO)], capture_output=True, check=True).stdout
        assert fresh == MO.read_bytes(), "run `make messages` and commit locale/"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
def test_no_string_is_missing_from_the_catalogue(tmp_path):
    """makemessages on a copy of the code finds nothing that the committed catalogue lacks."""
    for name in ["config", "wards", "criteria", "reports", "templates", "manage.py"]:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    (tmp_path / "locale" / "vi" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(PO, tmp_path / "locale" / "vi" / "LC_MESSAGES" / "django.po")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "vi", "--no-obsolete", "--no-location"],
        cwd=tmp_path, env={"DEBUG": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
        capture_output=True, check=True,
    )
    regenerated = {msgid for msgid, _, _ in entries((tmp_path / "locale/vi/LC_MESSAGES/django.po").read_text())}
    committed = {msgid for msgid, _, _ in entries(PO.read_text(encoding="utf-8"))}
    assert regenerated - committed == set(), "new strings: run `make messages`, translate, commit"
