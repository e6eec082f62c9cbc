"""The ward pages, under /wards/: their names keep the `wards:` namespace they have always had."""

from django.urls import path

from .views import calendar, entry, evidence, history, transitions, ward

app_name = "wards"
urlpatterns = [
    path("search/", ward.search, name="search"),
    path("unit/<str:period>/<unit:code>/", ward.unit, name="unit"),
    path("<unit:code>/<int:year>/", ward.ward, name="ward"),
    path("<unit:code>/<int:year>/assess/<str:stage>/", entry.assess, name="assess"),
    path("<unit:code>/<int:year>/accept/", entry.accept, name="accept"),
    path("<unit:code>/<int:year>/submit/", transitions.submit_assessment, name="submit"),
    path("<unit:code>/<int:year>/verify/", transitions.verify_assessment, name="verify"),
    path("<unit:code>/<int:year>/return/", transitions.return_assessment, name="return"),
    path("<unit:code>/<int:year>/reopen/", transitions.reopen_assessment, name="reopen"),
    path("<unit:code>/<int:year>/withdraw/", transitions.withdraw_assessment, name="withdraw"),
    path("<unit:code>/<int:year>/history/", history.history, name="history"),
    path("<unit:code>/<int:year>/extend/", calendar.extend_ward, name="extend"),
    path("<unit:code>/<int:year>/evidence/", evidence.upload, name="evidence_upload"),
    path("<unit:code>/<int:year>/evidence/<int:pk>/", evidence.download, name="evidence"),
    path("<unit:code>/<int:year>/evidence/<int:pk>/remove/", evidence.remove, name="evidence_remove"),
]
