from django.urls import path

from criteria.views import entry, evidence, history, transitions

from . import views

app_name = "wards"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("unit/<str:period>/<unit:code>/", views.unit, name="unit"),
    path("<unit:code>/<int:year>/", views.ward, name="ward"),
    path("<unit:code>/<int:year>/assess/<str:stage>/", entry.assess, name="assess"),
    path("<unit:code>/<int:year>/submit/", transitions.submit_assessment, name="submit"),
    path("<unit:code>/<int:year>/verify/", transitions.verify_assessment, name="verify"),
    path("<unit:code>/<int:year>/return/", transitions.return_assessment, name="return"),
    path("<unit:code>/<int:year>/reopen/", transitions.reopen_assessment, name="reopen"),
    path("<unit:code>/<int:year>/history/", history.history, name="history"),
    path("<unit:code>/<int:year>/evidence/", evidence.upload, name="evidence_upload"),
    path("<unit:code>/<int:year>/evidence/<int:pk>/", evidence.download, name="evidence"),
    path("<unit:code>/<int:year>/evidence/<int:pk>/remove/", evidence.remove, name="evidence_remove"),
]
