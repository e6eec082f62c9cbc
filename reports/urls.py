from django.urls import path

from criteria.views import calendar, transitions

from .views import certificates, commendations, dashboards, exports, imports, maps, outcomes

app_name = "reports"
urlpatterns = [
    path("targets/", dashboards.targets, name="targets"),
    path("<int:year>/", dashboards.national, name="national"),
    path("<int:year>/by-province/", dashboards.by_province, name="by_province"),
    path("<int:year>/criteria/", dashboards.criteria_gaps, name="criteria_gaps"),
    path("<int:year>/near-misses/", dashboards.near_misses, name="near_misses"),
    path("<int:year>/trend/", dashboards.trend, name="trend"),
    path("<int:year>/summary.json", exports.summary_json, name="summary_json"),
    path("<int:year>/map.svg", maps.national_map, name="map"),
    path("<int:year>/decisions/<int:pk>/certificates.pdf", certificates.decision_certificates, name="certificates"),
    path("certificates/", certificates.certificate_lookup, name="certificate_lookup"),
    path("certificates/<str:code>.pdf", certificates.certificate, name="certificate"),
    path("<int:year>/calendar/", calendar.programme_calendar, name="calendar"),
    path("<int:year>/export/<slug:identifier>.<str:fmt>", exports.export, name="export"),
    path("<int:year>/outcomes/", outcomes.outcomes, name="outcomes"),
    path("<int:year>/decisions/new/", outcomes.decision_new, name="decision_new"),
    path("<int:year>/decisions/<int:pk>/", outcomes.decision, name="decision"),
    path("<int:year>/decisions/<int:pk>/withdraw/", outcomes.decision_withdraw, name="decision_withdraw"),
    path("<int:year>/decisions/<int:pk>/scan.pdf", outcomes.decision_scan, name="decision_scan"),
    path("<int:year>/provinces/<province:code>/", dashboards.province, name="province"),
    path("<int:year>/provinces/<province:code>/criteria/", dashboards.province_criteria, name="province_criteria"),
    path("<int:year>/provinces/<province:code>/near-misses/", dashboards.province_near_misses,
         name="province_near_misses"),
    path("<int:year>/provinces/<province:code>/trend/", dashboards.province_trend, name="province_trend"),
    path("<int:year>/provinces/<province:code>/map.svg", maps.province_map, name="province_map"),
    path("<int:year>/provinces/<province:code>/summary.json", exports.province_summary_json, name="province_summary_json"),
    path("<int:year>/provinces/<province:code>/register/", transitions.register_ward, name="register"),
    path("<int:year>/provinces/<province:code>/extend/", calendar.extend_province, name="extend"),
    path("<int:year>/provinces/<province:code>/import/", imports.upload, name="import"),
    path("<int:year>/provinces/<province:code>/import/apply/", imports.apply, name="import_apply"),
    path("<int:year>/provinces/<province:code>/import/template.xlsx", imports.template, name="import_template"),
    path("<int:year>/commendations/new/", commendations.new, name="commendation_new"),
    path("<int:year>/commendations/<int:pk>/", commendations.detail, name="commendation"),
    path("<int:year>/commendations/<int:pk>/add/", commendations.add, name="commendation_add"),
    path("<int:year>/commendations/<int:pk>/import/", commendations.import_upload, name="commendation_import"),
    path("<int:year>/commendations/<int:pk>/import/apply/", commendations.import_apply,
         name="commendation_import_apply"),
    path("<int:year>/commendations/<int:pk>/import/template.xlsx", commendations.import_template,
         name="commendation_import_template"),
]
