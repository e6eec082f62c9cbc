"""Migrations that add derived columns to assessments change nothing that was there.

Migration 0007 repeats each assessment's unit and province and stores its not-met
masks. Run backwards and forwards over the demo data, it must leave every
existing column of the assessments, their results and all history exactly as
they were, and fill the new columns with what the app's own rescoring computes.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from criteria.models import Assessment

from .conftest import ensure_demo

BEFORE = ("criteria", "0006_assessment_year")
ASSESSMENT_COLUMNS = ["id", "registration_id", "year_id", "status", "version", "self_met", "verified_met",
                      "submitted_at", "verified_at", "updated_at", "updated_by_id"]
UNTOUCHED_TABLES = ["criteria_registration", "criteria_result", "criteria_historicalregistration",
                    "criteria_historicalassessment", "criteria_historicalresult"]


def rows(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def columns(table):
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def snapshot():
    """{table: {column: values}}: compared column by column, since later migrations add columns."""
    tables = {}
    for table in UNTOUCHED_TABLES:
        names = columns(table)
        data = rows(f"SELECT {', '.join(names)} FROM {table} ORDER BY 1")
        tables[table] = {name: [row[i] for row in data] for i, name in enumerate(names)}
    data = rows(f"SELECT {', '.join(ASSESSMENT_COLUMNS)} FROM criteria_assessment ORDER BY id")
    tables["criteria_assessment"] = {name: [row[i] for row in data] for i, name in enumerate(ASSESSMENT_COLUMNS)}
    return tables


def same(now, then):
    """Every column both snapshots have holds the same values."""
    return all(
        now[table][name] == then[table][name] for table in then for name in set(now[table]) & set(then[table])
    ) and set(now) == set(then)


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def latest():
    """The app's newest migration: the test must leave the schema as it found it."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes("criteria")[0]


@pytest.mark.django_db(transaction=True)
def test_0007_fills_the_derived_columns_and_changes_nothing_else():
    ensure_demo()
    derived = list(Assessment.objects.order_by("pk").values_list(
        "pk", "unit", "province", "self_not_met", "verified_not_met"))
    assert any(masks for *_ids, masks, _v in derived)
    before = snapshot()
    try:
        migrate(BEFORE)
        assert "self_not_met" not in {c.name for c in connection.introspection.get_table_description(
            connection.cursor(), "criteria_assessment")}
        assert same(snapshot(), before)
    finally:
        migrate(latest())
    assert snapshot() == before
    assert list(Assessment.objects.order_by("pk").values_list(
        "pk", "unit", "province", "self_not_met", "verified_not_met")) == derived


@pytest.mark.django_db(transaction=True)
def test_0012_carries_each_users_role_over_from_their_group():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from criteria.access import role_of
    from criteria.models import Profile, Role

    ensure_demo()
    roles = dict(Profile.objects.values_list("user__username", "role"))
    assert roles["bo.demo"] == Role.MINISTRY and roles["hanoi.demo"] == Role.PROVINCE
    try:
        migrate(("criteria", "0011_programme_calendar_and_notifications"))  # roles back to groups
        User = get_user_model()
        assert set(User.objects.get(username="bo.demo").groups.values_list("name", flat=True)) == {
            "Cán bộ Bộ Công an"}
        newcomer = User.objects.create_user("moi.bo", password="x")  # added under the old scheme
        newcomer.groups.add(Group.objects.get(name="Cán bộ Bộ Công an"))
    finally:
        migrate(latest())
    assert dict(Profile.objects.filter(user__username__in=roles).values_list("user__username", "role")) == roles
    assert role_of(get_user_model().objects.get(username="moi.bo")) == Role.MINISTRY
