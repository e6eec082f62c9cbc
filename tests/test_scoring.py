import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria.catalogue import install_catalogue
from criteria.models import Assessment, CatalogueVersion, Criterion, CriterionGroup, ProgrammeYear, ResultValue, Stage, Status
from criteria.scoring import BELOW, band_keys, band_label, band_of
from criteria.workflow import Entry, register, save_results
from criteria.figures import year_summary
from wards.models import Period, Province, Unit, UnitKind


@pytest.mark.parametrize(
    "met, size, band",
    [(22, 22, "22/22"), (21, 22, "21/22"), (20, 22, "20/22"), (19, 22, BELOW), (0, 22, BELOW),
     (10, 10, "10/10"), (8, 10, "8/10"), (1, 1, "1/1"), (0, 1, "0/1")],
)
def test_band_of(met, size, band):
    assert band_of(met, size) == band


def test_band_keys_follow_the_catalogue_size():
    assert band_keys(22) == ["22/22", "21/22", "20/22", BELOW]
    assert band_keys(15) == ["15/15", "14/15", "13/15", BELOW]
    assert "20/22" in band_label(BELOW, 22) and band_label(BELOW, 22) != "20/22"


def catalogue_of(size, code):
    data = {
        "code": code,
        "title": f"Test catalogue of {size}",
        "groups": [{"position": 1, "title": "Nhóm", "title_en": "Group",
                    "criteria": [{"number": n, "title": f"Tiêu chí {n}", "title_en": f"Criterion {n}"}
                                 for n in range(1, size + 1)]}],
    }
    return install_catalogue(data, CatalogueVersion, CriterionGroup, Criterion)[0]


values = st.sampled_from([ResultValue.MET, ResultValue.NOT_MET, ResultValue.PENDING])


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), size=st.integers(min_value=1, max_value=30))
def test_band_always_equals_the_count_of_met_criteria(data, size):
    """Property: whatever the results and catalogue size, the stored score and band match a plain count."""
    with transaction.atomic():
        catalogue = catalogue_of(size, f"prop-{size}")
        year = ProgrammeYear.objects.create(
            year=2099, catalogue=catalogue, period=Period.CURRENT, eligible_kinds=[UnitKind.WARD]
        )
        units = list(Unit.objects.filter(period=Period.CURRENT, kind=UnitKind.WARD, province__code="01")[:3])
        expected_bands = dict.fromkeys(band_keys(size), 0)
        for unit in units:
            assessment = register(year, unit).registration.assessment
            chosen = data.draw(st.lists(values, min_size=size, max_size=size))
            criteria = list(catalogue.criteria.order_by("number"))
            saved, _changed = save_results(
                assessment, Stage.SELF, {c: Entry(v) for c, v in zip(criteria, chosen)}, by=None, version=1
            )
            met = chosen.count(ResultValue.MET)
            assert saved.self_met == met
            assert band_of(saved.self_met, size) == band_of(met, size)
            saved.status = Status.SUBMITTED
            saved.save()
            Assessment.objects.filter(pk=saved.pk).freeze_submitted()  # as `submit` records it
            expected_bands[band_of(met, size)] += 1
        summary = year_summary(year, Province.objects.filter(period=Period.CURRENT, code="01"))
        assert summary.total.expected == expected_bands
        transaction.set_rollback(True)
