import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-for-tests"


def log_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_wrong_password_says_so_and_does_not_log_in(client):
    response = log_in(client, "bo.demo", "wrong")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_lock_out_after_repeated_failures(client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "hanoi.demo", "wrong")
    response = log_in(client, "hanoi.demo", PASSWORD)  # even the right password is refused now
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # another account from the same address is not punished for it
    assert log_in(Client(), "nghean.demo", PASSWORD).status_code == 302


def test_session_expires(client):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    log_in(client, "bo.demo", PASSWORD)
    assert client.session.get_expire_at_browser_close()


def test_forms_require_csrf(ministry):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ministry)
    assert client.post("/reports/2023/provinces/01/register/", {"unit": 1}).status_code == 403
    assert Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "bo.demo", "password": PASSWORD}
    ).status_code == 403


def test_password_change(client, nghean):
    client.force_login(nghean)
    assert client.get("/accounts/password/").status_code == 200
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Mat-khau-moi-2026!", "new_password2": "Mat-khau-moi-2026!"},
    )
    assert response.status_code == 302
    nghean.refresh_from_db()
    assert nghean.check_password("Mat-khau-moi-2026!")


def test_logout_is_a_post(client, ministry):
    client.force_login(ministry)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/reports/2023/").status_code == 302
