from django.urls import path

from criteria.views import transitions

from . import views

app_name = "reports"
urlpatterns = [
    path("<int:year>/", views.national, name="national"),
    path("<int:year>/provinces/<str:code>/", views.province, name="province"),
    path("<int:year>/provinces/<str:code>/register/", transitions.register_ward, name="register"),
]
