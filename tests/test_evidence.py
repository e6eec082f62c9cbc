import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from criteria.models import Evidence, Status
from criteria.workflow import register
from wards.models import Period, Unit, UnitKind

from .conftest import registered

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def ward(year2023, hanoi):
    unit = Unit.objects.filter(
        period=Period.LEGACY, kind=UnitKind.WARD, province__code="01", registrations__isnull=True
    ).first()
    register(year2023, unit, by=hanoi)
    return unit


def upload(client, unit, name, content, criterion=18):
    return client.post(
        f"/wards/{unit.code}/2023/evidence/",
        {"criterion": criterion, "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


@pytest.mark.parametrize("name, content, content_type", [
    ("bien-ban-tru-so.pdf", PDF, "application/pdf"),
    ("ảnh trụ sở.png", PNG, "image/png"),
    ("anh.JPG", JPEG, "image/jpeg"),
])
def test_accepted_files_are_stored_and_served_to_the_province(client_as, hanoi, ward, name, content, content_type):
    client = client_as(hanoi)
    response = upload(client, ward, name, content)
    assert response.status_code == 200
    evidence = Evidence.objects.get(assessment__registration__unit=ward)
    assert (evidence.original_name, evidence.content_type, evidence.size) == (name, content_type, len(content))
    assert evidence.uploaded_by == hanoi
    path = evidence.file.path
    assert path.startswith(str(settings.MEDIA_ROOT)) and name not in path
    served = client.get(f"/wards/{ward.code}/2023/evidence/{evidence.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == content


def test_another_province_cannot_fetch_the_file(client_as, hanoi, nghean, ward):
    upload(client_as(hanoi), ward, "a.pdf", PDF)
    evidence = Evidence.objects.get(assessment__registration__unit=ward)
    assert client_as(nghean).get(f"/wards/{ward.code}/2023/evidence/{evidence.pk}/").status_code == 404
    # not through its own ward's URL either
    own = registered("40")
    assert client_as(nghean).get(f"/wards/{own.unit.code}/2023/evidence/{evidence.pk}/").status_code == 404


@pytest.mark.parametrize("name, content", [
    ("trick.pdf", b"MZ\x90\x00 this is a windows program"),
    ("photo.png", b"GIF89a......"),
    ("empty.pdf", b""),
])
def test_files_are_judged_by_content(client_as, hanoi, ward, name, content):
    response = upload(client_as(hanoi), ward, name, content)
    assert not Evidence.objects.filter(assessment__registration__unit=ward).exists()
    html = response.content.decode()
    assert 'class="alert alert-danger"' in html
    if content:
        assert "PDF, JPEG" in html


def test_size_limit_is_configurable(client_as, hanoi, ward, settings):
    settings.EVIDENCE_MAX_BYTES = 50
    response = upload(client_as(hanoi), ward, "big.pdf", PDF + b"0" * 100)
    assert response.status_code == 200
    assert "50\xa0byte" in response.content.decode()
    assert not Evidence.objects.exists()


def test_unknown_criterion_is_refused(client_as, hanoi, ward):
    upload(client_as(hanoi), ward, "a.pdf", PDF, criterion=99)
    assert not Evidence.objects.exists()


def test_no_uploads_once_submitted_nor_to_another_province(client_as, hanoi, nghean):
    submitted = registered("01", status=Status.SUBMITTED)
    response = client_as(hanoi).post(
        f"/wards/{submitted.unit.code}/2023/evidence/", {"criterion": 1, "file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert response.status_code == 403
    response = client_as(nghean).post(
        f"/wards/{submitted.unit.code}/2023/evidence/", {"criterion": 1, "file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_removing_hides_but_keeps_the_file_and_its_history(client_as, hanoi, ward):
    client = client_as(hanoi)
    upload(client, ward, "a.pdf", PDF)
    evidence = Evidence.objects.get()
    response = client.post(f"/wards/{ward.code}/2023/evidence/{evidence.pk}/remove/")
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.removed_by == hanoi and evidence.file.storage.exists(evidence.file.name)
    assert client.get(f"/wards/{ward.code}/2023/evidence/{evidence.pk}/").status_code == 404
    assert evidence.history.count() == 2
    html = client.get(f"/wards/{ward.code}/2023/history/").content.decode()
    assert "a.pdf" in html


def test_a_failed_save_leaves_no_stored_file_behind(hanoi, ward, monkeypatch):
    """The file is written before its row: if the row cannot be saved, the file goes too."""
    from django.db import DatabaseError

    from criteria.access import scope_for
    from criteria.models import Assessment, Criterion
    from criteria.workflow import attach_evidence

    assessment = Assessment.objects.get(registration__unit=ward)
    criterion = Criterion.objects.get(catalogue=assessment.year.catalogue, number=18)
    storage = Evidence._meta.get_field("file").storage
    stored = []
    original_save = storage.save

    def remember(name, content, max_length=None):
        stored.append(original_save(name, content, max_length=max_length))
        return stored[-1]

    def fail(self, *args, **kwargs):
        raise DatabaseError("the disk is full")

    monkeypatch.setattr(storage, "save", remember)
    monkeypatch.setattr(Evidence, "save", fail)
    with pytest.raises(DatabaseError):
        attach_evidence(assessment, criterion, SimpleUploadedFile("a.pdf", PDF),
                        scope=scope_for(hanoi), content_type="application/pdf")
    assert len(stored) == 1 and not storage.exists(stored[0])
    assert not Evidence.objects.exists()
