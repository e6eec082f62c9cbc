from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("<int:year>/", views.national, name="national"),
    path("<int:year>/provinces/<str:code>/", views.province, name="province"),
]
