import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory

from config.client_ip import client_ip

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


def test_lock_out_page_says_what_happened_and_when_to_retry(client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "hanoi.demo", "wrong")
    response = log_in(client, "hanoi.demo", "wrong")
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "15" in response.content.decode()  # minutes (AXES_COOLOFF_MINUTES)
    assert response["Retry-After"] == "900"


# Behind the load balancer: who is the client?

def request_from(remote_addr, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **extra)


@pytest.mark.parametrize(
    "remote, forwarded, expected",
    [
        ("203.0.113.7", None, "203.0.113.7"),
        ("203.0.113.7", "1.2.3.4", "203.0.113.7"),  # not from our proxy: the header is ignored
        ("10.0.0.1", None, "10.0.0.1"),
        ("10.0.0.1", "1.2.3.4", "1.2.3.4"),
        ("10.0.0.1", "5.6.7.8, 1.2.3.4", "1.2.3.4"),  # the client wrote 5.6.7.8 itself
        ("10.0.0.1", "1.2.3.4, 10.0.0.2", "1.2.3.4"),  # two proxies of ours
        ("10.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.3"),  # only our own: the furthest one
        ("10.0.0.1", "", "10.0.0.1"),
        ("10.0.0.1", "garbage", "10.0.0.1"),
        ("10.0.0.1", "1.2.3.4, garbage", "10.0.0.1"),
        ("10.0.0.1", "garbage, 1.2.3.4", "1.2.3.4"),
        ("10.0.0.1", "2001:DB8:0:0::1", "2001:db8::1"),  # one spelling per address
        ("10.0.0.1", "::ffff:1.2.3.4", "1.2.3.4"),
        ("::ffff:10.0.0.1", "1.2.3.4", "1.2.3.4"),
        ("not an address", "1.2.3.4", None),
    ],
)
def test_client_ip(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(request_from(remote, forwarded)) == expected


def test_client_ip_header_is_configurable(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="1.2.3.4", HTTP_X_FORWARDED_FOR="9.9.9.9")
    assert client_ip(request) == "1.2.3.4"


def test_spoofed_forwarded_for_from_an_untrusted_client_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for n in range(settings.AXES_FAILURE_LIMIT):  # a new made-up address every time
        log_in(Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}"), "hanoi.demo", "wrong")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    response = log_in(Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="5.6.7.8"), "hanoi.demo", PASSWORD)
    assert response.status_code == 429


def test_behind_the_proxy_an_attacker_cannot_lock_someone_else_out(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    victim = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="5.6.7.8")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(attacker, "hanoi.demo", "wrong")
    assert log_in(attacker, "hanoi.demo", PASSWORD).status_code == 429
    # nor by writing the victim's address in front of its own: the balancer appends the real one
    liar = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="5.6.7.8, 1.2.3.4")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(liar, "hanoi.demo", "wrong")
    assert log_in(victim, "hanoi.demo", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "forwarded",
    ["", ",,,", "garbage", "1.2.3.4.5", "999.1.1.1", "[::1]:443", "1.2.3.4:80", "1.2.3.4\x00", "é, ü", "1," * 2000],
)
def test_malformed_forwarded_for_never_fails(settings, forwarded):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client = Client(HTTP_X_FORWARDED_FOR=forwarded)
    assert log_in(client, "hanoi.demo", "wrong").status_code == 200
    assert log_in(client, "hanoi.demo", PASSWORD).status_code == 302


# Password spraying: many accounts, one password each, from one address

def test_password_spraying_from_one_address_is_stopped(settings):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(settings.LOGIN_FAILURES_PER_IP - 1):
        assert log_in(attacker, f"user{n}", "Matkhau@123").status_code == 200
    # a valid account of the attacker's own does not clear the address's count
    assert log_in(Client(REMOTE_ADDR="203.0.113.7"), "nghean.demo", PASSWORD).status_code == 302
    log_in(attacker, "user-last", "Matkhau@123")
    # from now on that address is refused, even with the right password of an account it never tried
    assert log_in(Client(REMOTE_ADDR="203.0.113.7"), "bo.demo", PASSWORD).status_code == 429
    # and nobody elsewhere notices
    assert log_in(Client(REMOTE_ADDR="198.51.100.2"), "bo.demo", PASSWORD).status_code == 302


def test_an_office_behind_one_address_is_never_locked_for_logging_in(settings):
    """Fifty colleagues log in from one address, a few with a typo first: all get in."""
    users = [get_user_model().objects.create_user(f"canbo{n:02}", password=PASSWORD) for n in range(50)]
    for n, user in enumerate(users):
        client = Client()
        if n % 10 == 0:
            assert log_in(client, user.username, "typo").status_code == 200
        assert log_in(client, user.username, PASSWORD).status_code == 302, user.username


# The password-change form: the old password cannot be guessed there either

def change_password(client, old):
    return client.post(
        "/accounts/password/",
        {"old_password": old, "new_password1": "Mat-khau-moi-2026!", "new_password2": "Mat-khau-moi-2026!"},
    )


def test_wrong_old_passwords_are_limited(client, nghean):
    client.force_login(nghean)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = change_password(client, "wrong")
        assert response.status_code == 200
        assert response.context["form"].has_error("old_password", code="password_incorrect")
    response = change_password(client, "wrong")
    assert response.status_code == 429
    assert response.context["form"].has_error("old_password", code="locked")
    assert "15" in response.content.decode()
    # now even the right old password is refused, and the log-in page refuses this account here too
    assert change_password(client, PASSWORD).status_code == 429
    nghean.refresh_from_db()
    assert nghean.check_password(PASSWORD)
    assert log_in(Client(), "nghean.demo", PASSWORD).status_code == 429
    # the failures are on record, as failed log-ins at this page
    failures = AccessFailureLog.objects.filter(username="nghean.demo", path_info="/accounts/password/")
    assert failures.count() == settings.AXES_FAILURE_LIMIT
