"""No English word on a Vietnamese page: every page of the walk, for each role, read as a user reads it.

The page's visible text (tags, scripts and styles stripped; of the attributes only those a
user sees or hears: title, aria-label, placeholder, alt, data-label, and the value of buttons) is split
into words, and any word of a list of common English words fails the test, named with its
page. The test fetches URLs, so it holds whatever the templates behind them become.
"""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from criteria.models import Commendation, RecognitionDecision

from .conftest import registered

# Common English words of a user interface. Left out on purpose: words that are also
# Vietnamese written without diacritics ("an" ninh, "to" lớn, "do" đó, "me", "in" ấn,
# "no" đủ, "can" thiệp, "con", "ban", "tin", "sang", "hang", "long", "man", "bang", "but",
# "cut", "hay", "cho", "so", "ma", "la", "nam", "ba", "hai", "tam", "sao", "xa", "van"),
# and single letters.
ENGLISH = set("""
the and of for with from or by at on is are was were be been has have had not this that these those
which who whom what when where why how all any each every some more most less least other than then
there here into onto about after before over under between up out off per via new old next previous
back first last one two three four five six seven eight nine ten yes only also just still yet your our
their its his her you we they it us will would shall should may might must could
ward wards province provinces district districts unit units commune communes city town national nation
ministry police summary overview dashboard report reports expected verified verify verification registered
register registration registrations submitted submit submission returned return draft drafts status
statuses code codes name names sort sorted sorting ascending descending order filter filters search
searching results result save saved saving cancel delete remove removed edit change changes changed add
added update updated create created export exports download downloads upload uploads import imports
file files total totals year years month months day days date dates time map maps current legacy quota
quotas target targets criterion criteria group groups met short below above within exceeded reached
none some show hide view open close closed page pages next home history notes note evidence reason
reasons who when attempts attempt access log logs login logout password username user users account
accounts sign django site administration admin administrator recent actions action my none available
welcome documentation select selected choose go run apply applied decision decisions commendation
commendations certificate certificates calendar deadline deadlines window extension extensions granted
notification notifications read unread mark email mail settings setting language english vietnamese
help loading error errors warning please required optional field fields value values yes true false
expected band bands near misses near-misses gaps gap trend progress share percentage percent count
counts number numbers list table tables chart charts legend key figure figures data demo sample
previous successor successors predecessor predecessors lineage merged split reorganisation
recognised recognized recognition withdrawn withdraw reopened reopen pending waiting overdue days
failures failure attempted address agent path query string model models application link links theme
toggle content skip main navigation items item breadcrumbs sidebar counts hide entry entries object objects
time logout locked lock expires expiration remaining clean expired form meta filter enabled disabled
print printed send sent also my by mail cannot nothing again try
""".split())
# Proper names and codes allowed on a Vietnamese page.
ALLOWED = {"pdf", "xlsx", "csv", "docx", "json", "svg", "qđ", "bca", "antt", "en", "vi", "ubnd", "tc", "ip",
           "sha", "get", "post", "sso", "ldap"}
# Django's admin writes a boolean icon's alt text as Python's True/False, whatever the language.
ADMIN_ALLOWED = {"True", "False"}
# Words that vanish before the text is split: addresses, demo logins, file names.
ERASED = re.compile(
    r"[\w.+-]+@[\w.-]+"  # e-mail addresses
    r"|https?://\S+|(?<![\w/])/[a-z][\w/.?=&%-]*"  # URLs and paths (not dates: 20/11/2023)
    r"|\b(?:admin|bo|hanoi|nghean)\.demo\b"  # the demo logins
    r"|\b[\w-]+\.(?:pdf|xlsx|csv|docx|json|svg)\b",  # file names
    re.IGNORECASE,
)
VISIBLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-label"}  # data-label: shown by CSS


class VisibleText(HTMLParser):
    """The text a user reads or hears on a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        attrs = dict(attrs)
        for name in VISIBLE_ATTRIBUTES & attrs.keys():
            self.parts.append(attrs[name] or "")
        if attrs.get("value") and (tag == "button" or attrs.get("type") in ("submit", "button", "reset")):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", ERASED.sub(" ", " | ".join(part for part in parser.parts if part.strip())))


def english_words(html):
    # A token with a digit in it is a code (a certificate's, a decision's number), not a word.
    words = [token for token in re.findall(r"\w+", visible_text(html)) if token.isalpha()]
    return sorted({word for word in words if word.lower() in ENGLISH and word.lower() not in ALLOWED
                   and word not in ADMIN_ALLOWED})


def where(text, word):
    """The words around the first `word` in `text`: enough to find the string to fix."""
    match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)
    return text[max(0, match.start() - 40): match.end() + 40] if match else ""


def walk(role):
    """The pages of the walk that `role` opens, as (name, URL)."""
    ward = registered("01")
    code = ward.unit.code
    decision = RecognitionDecision.objects.filter(year__year=2023).order_by("pk").first()
    commendation = Commendation.objects.filter(year__year=2023).order_by("pk").first()
    pages = [
        ("home", "/"),
        ("national", "/reports/2023/"),
        ("national, current map", "/reports/2023/?map=current"),
        ("province", "/reports/2023/provinces/01/"),
        ("province, sorted", "/reports/2023/provinces/01/?sort=-name"),
        ("targets", "/reports/targets/"),
        ("ward", reverse("wards:ward", args=[code, 2023])),
        ("history", reverse("wards:history", args=[code, 2023])),
        ("outcomes", "/reports/2023/outcomes/"),
        ("decision", reverse("reports:decision", args=[2023, decision.pk])),
        ("commendation", reverse("reports:commendation", args=[2023, commendation.pk])),
        ("calendar", "/reports/2023/calendar/"),
        ("search", "/wards/search/?q=tran+phu"),
        ("notifications", "/notifications/"),
    ]
    if role == "bo.demo":
        waiting = registered("01", status="submitted")
        pages.append(("verification", reverse("wards:assess", args=[waiting.unit.code, 2023, "verified"])))
    if role == "admin.demo":
        # A row in each of axes' lists, so that their column headings show.
        where = {"username": "nghean.demo", "ip_address": "192.0.2.1", "user_agent": "Mozilla/5.0",
                 "path_info": "/accounts/login/"}
        AccessAttempt.objects.create(**where, http_accept="*/*", get_data="", post_data="", failures_since_start=2)
        AccessFailureLog.objects.create(**where, http_accept="*/*", locked_out=False)
        AccessLog.objects.create(**where, http_accept="*/*")
        pages += [
            ("admin", "/admin/"),
            ("admin: criteria", "/admin/criteria/criterion/"),
            ("admin: access attempts", "/admin/axes/accessattempt/"),
            ("admin: access logs", "/admin/axes/accesslog/"),
            ("admin: access failures", "/admin/axes/accessfailurelog/"),
            ("admin: users", "/admin/auth/user/"),
        ]
    return pages


def sections(html, base, seen):
    """The pages one level below `base` that it links to: its sections, however the page is split."""
    return sorted(set(re.findall(rf'href="({re.escape(base)}[a-z-]+/)[?#"]', html)) - seen)


@pytest.mark.parametrize("role", ["bo.demo", "hanoi.demo", "admin.demo"])
def test_no_english_word_on_a_vietnamese_page(client, django_user_model, role):
    client.force_login(django_user_model.objects.get(username=role))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    pages, found, seen = walk(role), {}, set()
    while pages:
        name, url = pages.pop(0)
        seen.add(url)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 200, (name, url, response.status_code)
        html = response.content.decode()
        if name in ("national", "province"):
            pages += [(f"{name}: {link}", link) for link in sections(html, url, seen | {u for _, u in pages})]
        words = english_words(html)
        if words:
            found[f"{name} ({url})"] = words
            text = visible_text(html)
            print(f"{role} · {name} ({url}): {', '.join(words)}")
            for word in words:
                print(f"    {word}: …{where(text, word)}…")
    assert found == {}, "English words on Vietnamese pages (listed above)"


def test_the_check_sees_english_in_text_and_visible_attributes():
    html = ('<p>Mã (descending)</p><script>var status = "x";</script><input type="submit" value="Save">'
            '<a title="Trang chủ" href="/wards/search/">Tìm</a><span aria-label="Close"></span>'
            '<p>an ninh, to lớn, admin.demo, a@example.invalid, bao-cao.pdf</p>')
    assert english_words(html) == ["Close", "Save", "descending"]


def test_glosses_only_in_english(client_as, ministry):
    client = client_as(ministry)
    ward = registered("01")
    url = reverse("wards:ward", args=[ward.unit.code, 2023])
    gloss = escape(ward.year.catalogue.criteria.get(number=1).title_en)
    assert gloss not in client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert gloss in client.get(url).content.decode()


def test_sort_options_are_labelled(client_as, ministry):
    html = client_as(ministry).get("/reports/2023/provinces/01/").content.decode()
    assert "Mã (giảm dần)" in html or "Code, descending" in html  # the catalogue may not be merged yet
    assert "(descending)" not in html


def test_history_names_the_person_and_the_reason(client_as, ministry, hanoi):
    """The demo's changes are the system's, for the demo year; a person by their full name, else log-in."""
    from criteria.history import timeline

    ward = registered("01")
    assessment = ward.assessment
    record = assessment.history.earliest("history_date")
    type(record).objects.filter(pk=record.pk).update(history_change_reason="Dữ liệu mẫu (load_demo)")
    with translation.override("en"):
        events = timeline(assessment)
        assert {event.who for event in events} == {"System (demo data)"}
        assert {event.why for event in events} == {"Demo data for 2023"}

    html = client_as(ministry).get(reverse("wards:history", args=[ward.unit.code, 2023]),
                                   HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "load_demo" not in html and "<td>—</td>" not in html
    assert "Hệ thống (dữ liệu mẫu)" in html or "System (demo data)" in html


def test_a_person_is_named_family_name_first_else_by_log_in(hanoi):
    """As Vietnamese writes a name: "Họ" (the account's last name) then "Tên" (its first name)."""
    from criteria.history import author

    assert author(hanoi) == "Nguyễn Thu Hà"  # the demo account's invented name
    hanoi.last_name, hanoi.first_name = "Nguyễn Văn", "An"
    assert author(hanoi) == "Nguyễn Văn An"
    hanoi.last_name, hanoi.first_name = " ", "An "
    assert author(hanoi) == "An"
    hanoi.last_name = hanoi.first_name = ""
    assert author(hanoi) == "hanoi.demo"
    with translation.override("en"):
        assert author(None) == "System"
    with translation.override("vi"):
        assert author(None) == "Hệ thống" and author(None, demo=True) == "Hệ thống (dữ liệu mẫu)"


def test_axes_in_the_admin_in_our_words(client_as, administrator):
    html = client_as(administrator).get("/admin/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    text = visible_text(html)
    for english in ("AXES", "Axes", "Access attempts", "Access logs", "Access failures", "Django"):
        assert english not in text
