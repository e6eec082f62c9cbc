from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, register_converter
from django.views.i18n import set_language

from criteria.views import home as home_views
from criteria.views import notifications as notification_views

from . import converters
from .forms import LoginForm
from . import views as platform_views

register_converter(converters.UnitCode, "unit")
register_converter(converters.ProvinceCode, "province")

handler400 = "config.views.bad_request"
handler500 = "config.views.server_error"

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", platform_views.healthz, name="healthz"),
    path("favicon.ico", platform_views.favicon, name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", platform_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/<int:pk>/", notification_views.open_notification, name="notification"),
    path("notifications/read/", notification_views.mark_all_read, name="notifications_read"),
    path("notifications/settings/", notification_views.mail_settings, name="notification_settings"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("reports/", include("reports.urls")),
    path("wards/", include("criteria.urls")),
    path("admin/", admin.site.urls),
]
