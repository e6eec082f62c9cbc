"""Two people save the same assessment at once: the second save is refused, nothing is lost."""

import threading

from django.db import connections

from criteria.access import scope_for
from criteria.models import Assessment, Result, ResultValue, Stage, Status
from criteria.workflow import ConflictError, Entry, save_results

from .conftest import ensure_demo, registered


def test_two_simultaneous_saves_one_wins_one_is_refused(transactional_db, django_user_model):
    ensure_demo()
    ministry = django_user_model.objects.get(username="bo.demo")
    assessment = registered("79", status=Status.SUBMITTED).assessment
    criteria = list(assessment.registration.year.catalogue.criteria.order_by("number"))
    version = assessment.version  # both people opened the form at this version
    notes = {"first": "Ghi chú của người thứ nhất", "second": "Ghi chú của người thứ hai"}
    start = threading.Barrier(2)
    outcomes = {}

    def save(name, value):
        try:
            start.wait()
            entries = {c: Entry(value, notes[name]) for c in criteria}
            save_results(assessment, Stage.VERIFIED, entries, by=ministry, version=version,
                         scope=scope_for(ministry))
            outcomes[name] = "saved"
        except ConflictError:
            outcomes[name] = "refused"
        except Exception as exc:  # surfaced by the assertion below
            outcomes[name] = repr(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=("first", ResultValue.MET)),
        threading.Thread(target=save, args=("second", ResultValue.NOT_MET)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values()) == ["refused", "saved"], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    stored = Assessment.objects.get(pk=assessment.pk)
    assert stored.version == version + 1
    notes_now = set(Result.objects.filter(assessment=assessment).values_list("verified_note", flat=True))
    assert notes_now == {notes[winner]}  # all of the winner's save, none of the other's
    expected_met = len(criteria) if winner == "first" else 0
    assert stored.verified_met == expected_met
    history_rows = Result.history.filter(assessment_id=assessment.pk, verified_note__in=notes.values())
    assert history_rows.count() == len(criteria)
