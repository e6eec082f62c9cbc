from django.urls import path

from criteria import views as criteria_views

from . import views

app_name = "wards"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("<str:code>/<int:year>/", views.ward, name="ward"),
    path("<str:code>/<int:year>/assess/<str:stage>/", criteria_views.assess, name="assess"),
]
