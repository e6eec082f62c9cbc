"""Shared fixtures.

The test database gets the real reference data (`load_units`) and the 2023 demo
(`load_demo`) once per session, through the app's own commands; each test then
runs in a transaction that is rolled back. Tests that need real transactions
(threads, a live server) call `ensure_demo()` again, because Django empties the
database after each of them.

Personas follow the demo accounts: a ministry user, a provincial user of Hà Nội
(province A), one of Nghệ An (province B) and an administrator.
"""

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
