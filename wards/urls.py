from django.urls import path

from criteria.views import entry, evidence, history, transitions

from . import views

app_name = "wards"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("unit/<str:period>/<str:code>/", views.unit, name="unit"),
    path("<str:code>/<int:year>/", views.ward, name="ward"),
    path("<str:code>/<int:year>/assess/<str:stage>/", entry.assess, name="assess"),
    path("<str:code>/<int:year>/submit/", transitions.submit_assessment, name="submit"),
    path("<str:code>/<int:year>/verify/", transitions.verify_assessment, name="verify"),
    path("<str:code>/<int:year>/return/", transitions.return_assessment, name="return"),
    path("<str:code>/<int:year>/reopen/", transitions.reopen_assessment, name="reopen"),
    path("<str:code>/<int:year>/history/", history.history, name="history"),
    path("<str:code>/<int:year>/evidence/", evidence.upload, name="evidence_upload"),
    path("<str:code>/<int:year>/evidence/<int:pk>/", evidence.download, name="evidence"),
    path("<str:code>/<int:year>/evidence/<int:pk>/remove/", evidence.remove, name="evidence_remove"),
]
