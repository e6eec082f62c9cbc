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
LATEST = ("criteria", "0008_assessment_dashboard_index")
ASSESSMENT_COLUMNS = ["id", "registration_id", "year_id", "status", "version", "self_met", "verified_met",
                      "submitted_at", "verified_at", "updated_at", "updated_by_id"]
UNTOUCHED_TABLES = ["criteria_registration", "criteria_result", "criteria_historicalregistration",
                    "criteria_historicalassessment", "criteria_historicalresult"]


def rows(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def snapshot():
    tables = {table: rows(f"SELECT * FROM {table} ORDER BY 1") for table in UNTOUCHED_TABLES}
    tables["criteria_assessment"] = rows(f"SELECT {', '.join(ASSESSMENT_COLUMNS)} FROM criteria_assessment ORDER BY id")
    return tables


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


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
        assert snapshot() == before
    finally:
        migrate(LATEST)
    assert snapshot() == before
    assert list(Assessment.objects.order_by("pk").values_list(
        "pk", "unit", "province", "self_not_met", "verified_not_met")) == derived
