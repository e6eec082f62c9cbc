"""The permission matrix: every URL of the project × every role × own / other province.

URL patterns are discovered from the resolver, so a new URL fails this test until
it is given its expectations here. Each case runs in its own rolled-back
transaction, so the POSTs (which change state) do not affect each other.

Roles: anonymous, a logged-in user with no role, a provincial user of Hà Nội
(province A, "own" objects are Hà Nội's), ministry staff and an administrator.
"Other" objects belong to Nghệ An (province B).
"""

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from criteria.models import Notification, NotificationKind, Status
from criteria.workflow import register
from wards.models import Period, Unit, UnitKind

from .conftest import PASSWORD, recognised_in, registered

ROLES = ["anonymous", "norole", "province", "ministry", "admin"]
CASES = ["own", "other"]
PDF = b"%PDF-1.4\n%%EOF\n"


def discover(resolver=None, namespace=""):
    """{qualified URL name: pattern} for every named pattern in the project."""
    names = {}
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names.update(discover(entry, inner))
        elif isinstance(entry, URLPattern) and entry.name:
            names[namespace + entry.name] = entry
    return names


@dataclass
class Spec:
    method: str
    obj: str  # which object of the case the URL is about: see `objects()`
    expect: dict  # role -> status, or role -> (own, other)
    data: object = None  # POST data, built from the case's objects
    query: object = None  # a query string, built from the case's objects

    def status(self, role, case):
        value = self.expect[role]
        return value if isinstance(value, int) else value[0 if case == "own" else 1]


EXTENSION = {"window": "self_assessment", "until": "2100-12-31", "reason": "Thiên tai"}


def ward_kwargs(o):
    return {"code": o["ward"].code, "year": 2023}


LOGIN = 302  # anonymous users are sent to the log-in page
NOROLE = 403  # logged in, but without a role: nothing to see
P404 = (200, 404)  # a provincial user: own province yes, other province "does not exist"

SPECS = {
    "healthz": Spec("GET", "none", {r: 200 for r in ROLES}),  # no session needed: the load balancer calls it
    "favicon": Spec("GET", "none", {r: 302 for r in ROLES}),  # to the static SVG, for anyone
    "home": Spec("GET", "none", {"anonymous": LOGIN, "norole": NOROLE, "province": 200, "ministry": 200, "admin": 200}),
    "login": Spec("GET", "none", {"anonymous": 200, "norole": 302, "province": 302, "ministry": 302, "admin": 302}),
    "logout": Spec("POST", "none", {r: 302 for r in ROLES}),
    "password_change": Spec("GET", "none", {"anonymous": LOGIN, "norole": 200, "province": 200, "ministry": 200, "admin": 200}),
    "password_change_done": Spec("GET", "none", {"anonymous": LOGIN, "norole": 200, "province": 200, "ministry": 200, "admin": 200}),
    # Notifications: one's own only; another user's answers 404 whoever asks (even an administrator).
    "notifications": Spec("GET", "none", {"anonymous": LOGIN, "norole": 200, "province": 200, "ministry": 200, "admin": 200}),
    "notification": Spec("GET", "none", {"anonymous": LOGIN, "norole": 404, "province": (302, 404), "ministry": 404, "admin": 404}),
    "notifications_read": Spec("POST", "none", {"anonymous": LOGIN, "norole": 302, "province": 302, "ministry": 302, "admin": 302}),
    "notification_settings": Spec("POST", "none", {"anonymous": LOGIN, "norole": 302, "province": 302, "ministry": 302, "admin": 302},
                                  data=lambda o: {"email_notifications": "on"}),
    "set_language": Spec("POST", "none", {r: 302 for r in ROLES}, data=lambda o: {"language": "en", "next": "/"}),
    "reports:national": Spec("GET", "year", {"anonymous": LOGIN, "norole": NOROLE, "province": 200, "ministry": 200, "admin": 200}),
    "reports:province": Spec("GET", "province", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    "reports:register": Spec("GET", "province", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    "reports:map": Spec("GET", "year", {"anonymous": LOGIN, "norole": NOROLE, "province": 200, "ministry": 200, "admin": 200}),
    "reports:province_map": Spec("GET", "province", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    "reports:summary_json": Spec("GET", "none", {"anonymous": LOGIN, "norole": NOROLE, "province": 200, "ministry": 200, "admin": 200}),
    "reports:province_summary_json": Spec("GET", "province", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    "reports:export": Spec("GET", "province", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200},
                           query=lambda o: f"?province={o['province']}"),
    "reports:import_template": Spec("GET", "province", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    # Imports write the province's self-assessment: its police, or ministry staff on its behalf.
    "reports:import": Spec("GET", "province", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    "reports:import_apply": Spec("POST", "province", {"anonymous": LOGIN, "norole": NOROLE, "province": (302, 404), "ministry": 302, "admin": 302},
                                 data=lambda o: {"token": "none"}),
    # Commendations: recorded by the ministry; a province reads one that commends someone of its own.
    "reports:commendation_new": Spec("GET", "year", {"anonymous": LOGIN, "norole": NOROLE, "province": 403, "ministry": 200, "admin": 200}),
    "reports:commendation": Spec("GET", "commendation", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    "reports:commendation_add": Spec("POST", "commendation", {"anonymous": LOGIN, "norole": NOROLE, "province": (403, 404), "ministry": 302, "admin": 302},
                                     data=lambda o: {"kind": "collective", "name": "Công an phường Thử"}),
    "reports:commendation_import": Spec("GET", "commendation", {"anonymous": LOGIN, "norole": NOROLE, "province": (403, 404), "ministry": 200, "admin": 200}),
    "reports:commendation_import_apply": Spec("POST", "commendation", {"anonymous": LOGIN, "norole": NOROLE, "province": (403, 404), "ministry": 302, "admin": 302},
                                              data=lambda o: {"token": "none"}),
    "reports:commendation_import_template": Spec("GET", "commendation", {"anonymous": LOGIN, "norole": NOROLE, "province": (403, 404), "ministry": 200, "admin": 200}),
    "reports:calendar": Spec("GET", "year", {"anonymous": LOGIN, "norole": NOROLE, "province": 200, "ministry": 200, "admin": 200}),
    # Extensions are the ministry's to grant: a provincial user may not, even for their own province.
    "reports:extend": Spec("POST", "province", {"anonymous": LOGIN, "norole": NOROLE, "province": (403, 404), "ministry": 302, "admin": 302},
                           data=lambda o: EXTENSION),
    "wards:extend": Spec("POST", "draft", {"anonymous": LOGIN, "norole": NOROLE, "province": (403, 404), "ministry": 302, "admin": 302},
                         data=lambda o: EXTENSION),
    "reports:by_province": Spec("GET", "year", {"anonymous": LOGIN, "norole": NOROLE, "province": 200, "ministry": 200, "admin": 200}),
    "reports:criteria_gaps": Spec("GET", "year", {"anonymous": LOGIN, "norole": NOROLE, "province": 200, "ministry": 200, "admin": 200}),
    "reports:near_misses": Spec("GET", "year", {"anonymous": LOGIN, "norole": NOROLE, "province": 200, "ministry": 200, "admin": 200}),
    "reports:trend": Spec("GET", "year", {"anonymous": LOGIN, "norole": NOROLE, "province": 200, "ministry": 200, "admin": 200}),
    "reports:province_criteria": Spec("GET", "province", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    "reports:province_near_misses": Spec("GET", "province", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    "reports:province_trend": Spec("GET", "province", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    "reports:outcomes": Spec("GET", "year", {"anonymous": LOGIN, "norole": NOROLE, "province": 200, "ministry": 200, "admin": 200}),
    "reports:decision_new": Spec("GET", "year", {"anonymous": LOGIN, "norole": NOROLE, "province": 403, "ministry": 200, "admin": 200}),
    "reports:decision": Spec("GET", "decision", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    # the signed decision lists every province's wards: the ministry's to read
    "reports:decision_scan": Spec("GET", "decision", {"anonymous": LOGIN, "norole": NOROLE, "province": 404, "ministry": 200, "admin": 200}),
    "reports:decision_withdraw": Spec("POST", "decision", {"anonymous": LOGIN, "norole": NOROLE, "province": (403, 404), "ministry": 302, "admin": 302},
                                      data=lambda o: {"recognitions": [o["recognition"].pk], "withdrawn_on": "2024-06-01",
                                                      "number": "77/QĐ-BCA", "reason": "Vi phạm sau công nhận"}),
    # Certificates: a province prints and checks its own wards' only; another's code reads as unknown.
    "reports:certificates": Spec("GET", "decision", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    "reports:certificate": Spec("GET", "decision", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    "reports:certificate_lookup": Spec("GET", "none", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200},
                                       query=lambda o: f"?code={o['recognition'].code}"),
    "reports:targets": Spec("GET", "none", {"anonymous": LOGIN, "norole": NOROLE, "province": 200, "ministry": 200, "admin": 200}),
    "wards:unit": Spec("GET", "submitted", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    "wards:search": Spec("GET", "none", {"anonymous": LOGIN, "norole": NOROLE, "province": 200, "ministry": 200, "admin": 200}),
    "wards:ward": Spec("GET", "submitted", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    "wards:history": Spec("GET", "submitted", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    # A draft's self-assessment: the province's to fill, or ministry staff's on its behalf.
    "wards:assess": Spec("GET", "draft", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    # Transitions. A role that may never do it is refused outright (403); an incomplete draft
    # is refused for its state, which is a message on the ward page (302). The ministry may
    # submit on the province's behalf.
    "wards:submit": Spec("POST", "draft", {"anonymous": LOGIN, "norole": NOROLE, "province": (302, 404), "ministry": 302, "admin": 302},
                         data=lambda o: {"version": o["ward_assessment"].version}),
    "wards:verify": Spec("POST", "submitted", {"anonymous": LOGIN, "norole": NOROLE, "province": (403, 404), "ministry": 302, "admin": 302},
                         data=lambda o: {"version": o["ward_assessment"].version}),
    "wards:return": Spec("POST", "submitted", {"anonymous": LOGIN, "norole": NOROLE, "province": (403, 404), "ministry": 302, "admin": 302},
                         data=lambda o: {"version": o["ward_assessment"].version, "reason": "Bổ sung hồ sơ"}),
    # Accepting the self-assessed result is entering the verified one: the ministry's.
    "wards:accept": Spec("POST", "submitted", {"anonymous": LOGIN, "norole": NOROLE, "province": (403, 404), "ministry": 302, "admin": 302},
                         data=lambda o: {"version": o["ward_assessment"].version}),
    "wards:reopen": Spec("POST", "verified", {"anonymous": LOGIN, "norole": NOROLE, "province": (403, 404), "ministry": 302, "admin": 302},
                         data=lambda o: {"version": o["ward_assessment"].version, "reason": "Hậu kiểm"}),
    # Withdrawing a submission is the province's own act.
    "wards:withdraw": Spec("POST", "submitted", {"anonymous": LOGIN, "norole": NOROLE, "province": (302, 404), "ministry": 403, "admin": 302},
                           data=lambda o: {"version": o["ward_assessment"].version, "reason": "Nộp nhầm số liệu"}),
    # Files go with the self-assessment: whoever may enter it (the ministry on the province's behalf too).
    "wards:evidence_upload": Spec("POST", "draft", {"anonymous": LOGIN, "norole": NOROLE, "province": (302, 404), "ministry": 302, "admin": 302},
                                  data=lambda o: {"criterion": 1, "file": SimpleUploadedFile("a.pdf", PDF)}),
    "wards:evidence": Spec("GET", "evidence", {"anonymous": LOGIN, "norole": NOROLE, "province": P404, "ministry": 200, "admin": 200}),
    "wards:evidence_remove": Spec("POST", "evidence", {"anonymous": LOGIN, "norole": NOROLE, "province": (302, 404), "ministry": 302, "admin": 302}),
}


def url_kwargs(name, o):
    if name in ("reports:national", "reports:calendar", "reports:map", "reports:outcomes", "reports:decision_new",
                "reports:by_province", "reports:criteria_gaps", "reports:near_misses", "reports:trend"):
        return {"year": 2023}
    if name in ("reports:decision", "reports:decision_scan", "reports:decision_withdraw"):
        return {"year": 2023, "pk": o["recognition"].decision_id}
    if name in ("reports:province", "reports:province_map", "reports:province_criteria", "reports:province_near_misses",
                "reports:province_trend", "reports:register", "reports:extend", "reports:province_summary_json", "reports:import",
                "reports:import_apply", "reports:import_template"):
        return {"year": 2023, "code": o["province"]}
    if name == "reports:certificates":
        return {"year": 2023, "pk": o["recognition"].decision_id}
    if name == "reports:certificate":
        return {"code": o["recognition"].code}
    if name == "reports:export":
        return {"year": 2023, "identifier": "summary", "fmt": "csv"}
    if name == "reports:summary_json":
        return {"year": 2023}
    if name == "notification":
        return {"pk": o["notification"].pk}
    if name == "reports:commendation_new":
        return {"year": 2023}
    if name.startswith("reports:commendation"):
        return {"year": 2023, "pk": o["commendation"].pk}
    if name == "wards:unit":
        return {"period": o["ward"].period, "code": o["ward"].code}
    if name == "wards:assess":
        return {**ward_kwargs(o), "stage": "self"}
    if name in ("wards:evidence", "wards:evidence_remove"):
        return {**ward_kwargs(o), "pk": o["evidence"].pk}
    if name.startswith("wards:") and name != "wards:search":
        return ward_kwargs(o)
    return {}


# --- the Django admin: administrators only; everyone else is sent to its log-in page ---

ADMIN_SPECIAL = {
    "admin:login": {"anonymous": 200, "norole": 200, "province": 200, "ministry": 200, "admin": 302},
    "admin:logout": {r: 302 for r in ROLES},  # POST
    "admin:password_change": {"anonymous": 302, "norole": 302, "province": 302, "ministry": 302, "admin": 200},
    "admin:password_change_done": {"anonymous": 302, "norole": 302, "province": 302, "ministry": 302, "admin": 200},
    "admin:view_on_site": {"anonymous": 302, "norole": 302, "province": 302, "ministry": 302, "admin": 404},
    "admin:autocomplete": {"anonymous": 302, "norole": 302, "province": 302, "ministry": 302, "admin": 403},
}
ADMIN_GENERIC = {"anonymous": 302, "norole": 302, "province": 302, "ministry": 302, "admin": 200}


def admin_url(name, pattern):
    """A concrete URL for an admin pattern: an existing object for the per-object views."""
    if name == "admin:app_list":
        return reverse(name, kwargs={"app_label": "criteria"})
    if name == "admin:view_on_site":
        return reverse(name, kwargs={"content_type_id": 1, "object_id": 1})
    groups = pattern.pattern.regex.groupindex
    if "object_id" in groups or "id" in groups:
        app_label, model_name = name.removeprefix("admin:").split("_")[:2]
        obj = apps.get_model(app_label, model_name)._default_manager.order_by("pk").first()
        assert obj is not None, f"no {app_label}.{model_name} to open for {name}"
        return reverse(name, kwargs={"object_id" if "object_id" in groups else "id": obj.pk})
    return reverse(name)


def admin_expectation(name):
    if name in ADMIN_SPECIAL:
        return ADMIN_SPECIAL[name]
    if name.startswith("admin:axes_") and name.endswith("_add"):
        return {**ADMIN_GENERIC, "admin": 403}  # log-in records are written by axes, never by hand
    if name in ("admin:criteria_registration_add", "admin:criteria_registration_delete",
                "admin:criteria_assessment_add", "admin:criteria_assessment_delete"):
        return {**ADMIN_GENERIC, "admin": 403}  # registrations and assessments change only through the workflow
    if any(name.startswith(f"admin:criteria_{model}_") and name.endswith(("_add", "_delete")) for model in (
            "recognitiondecision", "recognition", "commendation", "commendationrecipient")):
        return {**ADMIN_GENERIC, "admin": 403}  # decisions and commendations are recorded on their own pages
    if name.startswith("admin:") and name.rsplit("_", 1)[-1] in {
        "changelist", "add", "change", "delete", "history", "password_change"
    }:
        return ADMIN_GENERIC
    if name in ("admin:index", "admin:app_list", "admin:jsi18n"):
        return ADMIN_GENERIC
    return None


ALL = discover()
PROJECT = sorted(name for name in ALL if not name.startswith("admin:"))
ADMIN = sorted(name for name in ALL if name.startswith("admin:"))


def test_every_url_has_expectations():
    assert sorted(PROJECT) == sorted(SPECS), "a URL without expectations: add it to SPECS"
    unknown = [name for name in ADMIN if admin_expectation(name) is None]
    assert unknown == [], "admin URLs without expectations"
    assert len(PROJECT) * len(ROLES) * len(CASES) >= 190


def with_scan(recognition):
    """The recognition, its decision carrying a scanned PDF (so that the scan's URL has a file to answer)."""
    decision = recognition.decision
    if not decision.scan:
        decision.scan.save("qd.pdf", SimpleUploadedFile("qd.pdf", PDF), save=False)
        decision.scan_name, decision.scan_size = "qd.pdf", len(PDF)
        decision.save()
    return recognition


@pytest.fixture
def objects(year2023, hanoi, nghean):
    """For each case, the objects the URLs are about: Hà Nội's ("own") and Nghệ An's ("other")."""
    result = {}
    for case, code, user in (("own", "01", hanoi), ("other", "40", nghean)):
        free = Unit.objects.filter(
            period=Period.LEGACY, kind=UnitKind.WARD, province__code=code, registrations__isnull=True
        ).order_by("code")
        draft = register(year2023, free[0], by=user).registration
        with_file = register(year2023, free[1], by=user).registration
        from criteria.access import scope_for
        from criteria.workflow import attach_evidence

        evidence = attach_evidence(
            with_file.assessment, year2023.catalogue.criteria.get(number=1), SimpleUploadedFile("e.pdf", PDF),
            scope=scope_for(user), content_type="application/pdf",
        )
        result[case] = {
            "province": code,
            "draft": draft,
            "commendation": commended(code),
            "submitted": registered(code, status=Status.SUBMITTED),
            "verified": registered(code, status=Status.VERIFIED) or registered("79", status=Status.VERIFIED),
            "evidence_registration": with_file,
            "evidence": evidence,
            "notification": Notification.objects.create(user=user, kind=NotificationKind.REMINDER, text="Nhắc hạn"),
            "recognition": with_scan(recognised_in(code)),
        }
    return result


def client_for(role, client, hanoi, ministry, administrator):
    if role == "anonymous":
        return client
    user = {
        "norole": lambda: get_user_model().objects.create_user("khong.vai.tro", password="x"),
        "province": lambda: hanoi,
        "ministry": lambda: ministry,
        "admin": lambda: administrator,
    }[role]()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PROJECT)
def test_project_url(name, role, case, client, objects, hanoi, ministry, administrator):
    spec = SPECS[name]
    o = dict(objects[case])
    registration = {
        "draft": o["draft"], "submitted": o["submitted"], "verified": o["verified"], "evidence": o["evidence_registration"],
    }.get(spec.obj)
    if registration is not None:
        o["ward"], o["ward_assessment"] = registration.unit, registration.assessment
    url = reverse(name, kwargs=url_kwargs(name, o)) + (spec.query(o) if spec.query else "")
    http = client_for(role, client, hanoi, ministry, administrator)
    data = spec.data(o) if spec.data else {}
    response = http.post(url, data) if spec.method == "POST" else http.get(url)
    expected = spec.status(role, case)
    assert response.status_code == expected, f"{spec.method} {url} as {role} ({case}): {response.status_code}"
    if expected == LOGIN and role == "anonymous" and name not in ("logout", "set_language", "favicon"):
        assert response["Location"].startswith("/accounts/login/")
    if role == "province" and case == "other" and expected == 404:
        # nothing of the other province leaks into the answer
        assert "Nghệ An" not in response.content.decode()


def commended(code):
    """A commendation whose one recipient is a collective of legacy province `code`."""
    from criteria.access import Role, Scope
    from criteria.models import CommendationRecipient, RecipientKind
    from criteria.outcomes import record_commendation

    year = registered(code).year
    recipient = CommendationRecipient(kind=RecipientKind.COLLECTIVE, name="Phòng Tham mưu",
                                      province=registered(code).unit.province)
    return record_commendation(year, {"level": "giay_khen", "issuer": "Bộ Công an", "number": f"{code}/QĐ-KT",
                                      "signed_on": "2023-12-20", "reason": "Thành tích"}, [recipient],
                               scope=Scope(user=None, role=Role.ADMIN))


@pytest.fixture
def login_records(db):
    """A failed and a successful log-in, so that the log-in record admin pages have rows to open."""
    other = Client()
    other.post("/accounts/login/", {"username": "nghean.demo", "password": "wrong"})
    other.post("/accounts/login/", {"username": "bo.demo", "password": PASSWORD})


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ADMIN)
def test_admin_url(name, role, client, hanoi, ministry, administrator, login_records):
    url = admin_url(name, ALL[name])
    http = client_for(role, client, hanoi, ministry, administrator)
    response = http.post(url) if name == "admin:logout" else http.get(url)
    assert response.status_code == admin_expectation(name)[role], f"{url} as {role}: {response.status_code}"
