import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from criteria.catalogue import WORKING_CATALOGUE
from criteria.models import CatalogueVersion

pytestmark = pytest.mark.django_db


def test_the_working_catalogue_has_22_criteria_in_5_groups():
    catalogue = CatalogueVersion.objects.get(code="working-2023")
    assert catalogue.is_working
    assert catalogue.criteria.count() == 22 and catalogue.groups.count() == 5
    assert all(c.title and c.title_en and c.guidance for c in catalogue.criteria.all())


def test_a_new_version_installs_from_a_file(tmp_path):
    data = json.loads(WORKING_CATALOGUE.read_text(encoding="utf-8"))
    data["code"] = "official-2026"
    data["is_working"] = False
    data["groups"][0]["criteria"][0]["title"] = "Tiêu chí 1 (văn bản chính thức)"
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("load_catalogue", str(path), stdout=out)
    assert "22 criteria in 5 groups" in out.getvalue()
    official = CatalogueVersion.objects.get(code="official-2026")
    assert official.criteria.get(number=1).title == "Tiêu chí 1 (văn bản chính thức)"
    out = io.StringIO()
    call_command("load_catalogue", str(path), stdout=out)
    assert "nothing changed" in out.getvalue()


@pytest.mark.parametrize("content, message", [
    ("not json", "Cannot read"),
    ('{"code": "x", "title": "t", "groups": []}', "no criteria"),
    ('{"code": "x", "title": "t", "groups": [{"position": 1, "title": "a", "title_en": "b", "criteria": '
     '[{"number": 1, "title": "a", "title_en": "b"}, {"number": 3, "title": "c", "title_en": "d"}]}]}', "without gaps"),
    ('{"title": "t", "groups": []}', "lacks a required field"),
    ('{"code": "x", "title": "t", "groups": [{"position": 1, "title": "a", "title_en": "b", "criteria": ['
     + ", ".join(f'{{"number": {n}, "title": "a", "title_en": "b"}}' for n in range(1, 64)) + "]}]}", "at most 62"),
])
def test_a_bad_file_is_refused_and_changes_nothing(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    before = CatalogueVersion.objects.count()
    with pytest.raises(CommandError, match=message):
        with translation.override("en"):
            call_command("load_catalogue", str(path), stdout=io.StringIO())
    assert CatalogueVersion.objects.count() == before
