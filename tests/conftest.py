"""Shared fixtures.

The test database gets the real reference data (`load_units`) and the 2023 demo
(`load_demo`) once per session, through the app's own commands; each test then
runs in a transaction that is rolled back. Tests that need real transactions
(threads, a live server) call `ensure_demo()` again, because Django empties the
database after each of them.

Personas follow the demo accounts: a ministry user, a provincial user of Hà Nội
(province A), one of Nghệ An (province B) and an administrator.
"""

import datetime
import io
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from criteria.models import (
    Assessment,
    Commendation,
    ProgrammeYear,
    Quota,
    Recognition,
    RecognitionDecision,
    Registration,
    Result,
)
from wards.models import Unit

os.environ.setdefault("DEMO_PASSWORD", "demo-password-for-tests")
PASSWORD = os.environ["DEMO_PASSWORD"]


def ensure_demo():
    """Load the reference data and the demo unless they are there already."""
    if not Unit.objects.exists():
        call_command("load_units", stdout=io.StringIO())
    if not ProgrammeYear.objects.filter(year=2023).exists():
        call_command("load_demo", stdout=io.StringIO())
    return ProgrammeYear.objects.select_related("catalogue").get(year=2023)


def delete_programme_data():
    """Every programme year and what hangs on it (outcomes first: they protect what they name)."""
    for model in (Recognition, RecognitionDecision, Commendation, Result, Assessment, Registration, Quota,
                  ProgrammeYear):
        model.objects.all().delete()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_demo()


@pytest.fixture
def year2023(db):
    return ProgrammeYear.objects.select_related("catalogue").get(year=2023)


def _user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def ministry(db):
    return _user("bo.demo")


@pytest.fixture
def hanoi(db):
    return _user("hanoi.demo")


@pytest.fixture
def nghean(db):
    return _user("nghean.demo")


@pytest.fixture
def administrator(db):
    return _user("admin.demo")


@pytest.fixture
def client_as(client):
    """client_as(user) -> the test client logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login


def registered(province_code, year=2023, status=None):
    """A registration of the demo year in the legacy province `province_code`."""
    registrations = Registration.objects.filter(
        year__year=year, unit__province__code=province_code, unit__period="legacy"
    ).select_related("unit", "assessment")
    if status:
        registrations = registrations.filter(assessment__status=status)
    return registrations.order_by("unit__code").first()


def recognised_in(province_code, year=2023):
    """A recognition in force of a ward of the legacy province `province_code` in the demo year.

    The demo's decision recognises wards of some provinces only (Hà Nội's among them);
    for another province, one of its submitted wards is verified with every criterion
    met and recognised by a decision of its own, through the app's functions.
    """
    from criteria.access import Role, Scope
    from criteria.models import Recognition, ResultValue, Status
    from criteria.outcomes import DecisionFields, recognise

    found = Recognition.objects.in_force().filter(year__year=year, province__code=province_code,
                                                  province__period="legacy").order_by("unit__code").first()
    if found is not None:
        return found
    # The province's last submitted ward: `registered()` hands out the first ones.
    registration = Registration.objects.filter(
        year__year=year, unit__province__code=province_code, unit__period="legacy",
        assessment__status=Status.SUBMITTED,
    ).select_related("unit", "assessment").order_by("-unit__code").first()
    assessment = registration.assessment
    assessment.results.update(verified_value=ResultValue.MET)
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.VERIFIED)
    assessment.rescore()
    decision = recognise(
        assessment.year,
        DecisionFields(number=f"{900 + int(province_code)}/QĐ-BCA", signed_on=datetime.date(2024, 5, 2),
                       signer_name="Lê Văn Thử", signer_title="Thứ trưởng"),
        [registration.unit.code], scope=Scope(user=None, role=Role.ADMIN),
    )
    return decision.recognitions.get()
