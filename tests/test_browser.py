"""End to end in a real browser: register → self-assess → submit → return → resubmit → verify.

Screenshots of every main step land in var/screenshots/ (git-ignored).
"""

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from criteria.models import Assessment, Result, Status
from criteria.workflow import ACCEPTED
from wards.models import Period, Unit, UnitKind

from .browser import Browser, make_driver
from .conftest import PASSWORD, ensure_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def browser(live_server, request):
    driver = make_driver()
    yield Browser(driver, live_server.url, request.node.name)
    driver.quit()


def wait_for(browser, condition, timeout=10):
    browser.wait(condition, timeout)


def fill_all(browser, value="met"):
    """Choose `value` for every criterion, as clicking each radio would."""
    browser.driver.execute_script(
        "document.querySelectorAll(arguments[0]).forEach(r => r.click())", f"input[type=radio][value={value}]"
    )


def save(browser):
    browser.click("form.assess-form button[type=submit]:not([form])")  # not an "accept" button of another form


def confirm(browser, form, screenshot=None):
    """Press the form's button, then its in-page confirmation (static/js/confirm.js)."""
    browser.click(f"{form} button[type=submit]")
    wait_for(browser, lambda: browser.find(f"{form} [data-confirm-yes]").is_displayed())
    if screenshot:
        browser.screenshot(screenshot)
    browser.click(f"{form} [data-confirm-yes]")


def test_submit_return_resubmit_verify(transactional_db, browser, tmp_path):
    ensure_demo()
    unit = (
        Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, province__code="01", registrations__isnull=True)
        .order_by("code")
        .first()
    )
    ward_path = f"/wards/{unit.code}/2023/"

    # 1. The Hà Nội provincial user logs in and registers a ward.
    browser.log_in("hanoi.demo", PASSWORD)
    wait_for(browser, lambda: browser.finds("[data-queue=province]"))  # the home page: its work queue
    browser.screenshot("province-home")
    browser.open("/reports/2023/provinces/01/")
    browser.click("a[href$='/provinces/01/register/']")
    Select(browser.find("select[name=unit]")).select_by_value(str(unit.pk))
    browser.screenshot("register-form")
    browser.click("main form button[type=submit]")
    wait_for(browser, lambda: browser.driver.current_url.endswith(ward_path))
    assert "alert-warning" in browser.driver.page_source  # Hà Nội is over its quota of 12: warned, not blocked
    browser.screenshot("registered")

    # 2. It fills the self-assessment (criterion 18 not met, with a note and a file) and submits.
    browser.click(f"a[href$='{ward_path}assess/self/']")
    fill_all(browser)
    browser.click("#id_c18_value input[value=not_met], input[name=c18_value][value=not_met]")
    browser.find("textarea[name=c18_note]").send_keys("Trụ sở đang chờ bàn giao đất")
    browser.screenshot("self-assessment-form")
    save(browser)
    wait_for(browser, lambda: browser.driver.current_url.endswith(ward_path))
    assert browser.find("[data-band=expected]").text == "—"  # a draft is in no band until submitted
    evidence = tmp_path / "biên bản.pdf"
    evidence.write_bytes(b"%PDF-1.4\n%%EOF\n")
    browser.driver.execute_script("document.querySelectorAll('tr[data-criterion=\"18\"] details').forEach(d => d.open = true)")
    browser.find("tr[data-criterion='18'] input[type=file]").send_keys(str(evidence))
    browser.click("tr[data-criterion='18'] form[enctype] button[type=submit]")
    wait_for(browser, lambda: "biên bản.pdf" in browser.text())
    browser.click("form[action$='/submit/'] button")  # the first press only asks
    wait_for(browser, lambda: browser.find("form[action$='/submit/'] [data-confirm-box]").is_displayed())
    browser.screenshot("submit-confirmation")
    browser.click("form[action$='/submit/'] [data-confirm-no]")  # cancel: nothing sent
    assert browser.finds("form[action$='/submit/'] [data-confirm-box]") == []
    assert browser.find("[data-status]").get_attribute("data-status") == "draft"
    confirm(browser, "form[action$='/submit/']")
    wait_for(browser, lambda: browser.find("[data-status]").get_attribute("data-status") == "submitted")
    browser.screenshot("submitted")
    browser.log_out()

    # 3. Ministry staff return it with a reason.
    browser.log_in("bo.demo", PASSWORD)
    browser.open(ward_path)
    browser.click("details summary.btn-outline-warning")
    browser.find("textarea[name=reason]").send_keys("Đề nghị bổ sung biên bản bàn giao đất trụ sở")
    browser.screenshot("return-form")
    confirm(browser, "form[action$='/return/']", screenshot="return-confirmation")
    wait_for(browser, lambda: browser.find("[data-status]").get_attribute("data-status") == "returned")
    browser.log_out()

    # 4. The province sees why, fixes criterion 18 and resubmits.
    browser.log_in("hanoi.demo", PASSWORD)
    browser.open(ward_path)
    assert "Đề nghị bổ sung biên bản bàn giao đất trụ sở" in browser.find("[data-return-reason]").text
    browser.screenshot("returned-seen-by-province")
    browser.click(f"a[href$='{ward_path}assess/self/']")
    browser.click("input[name=c18_value][value=met]")
    save(browser)
    wait_for(browser, lambda: browser.driver.current_url.endswith(ward_path))
    assert browser.find("[data-band=expected]").text == "21/22"  # as last submitted, until submitted again
    confirm(browser, "form[action$='/submit/']")
    wait_for(browser, lambda: browser.find("[data-status]").get_attribute("data-status") == "submitted")
    assert browser.find("[data-band=expected]").text == "22/22"
    browser.log_out()

    # 5. Ministry staff see the province's results and files beside their own, accept them all,
    #    correct one criterion, and verify: accepting and verifying are two separate steps.
    browser.log_in("bo.demo", PASSWORD)
    browser.open(ward_path)
    browser.click(f"a[href$='{ward_path}assess/verified/']")
    assert len(browser.finds("[data-self=met]")) == 22
    assert "biên bản.pdf" in browser.find("#criterion-18 [data-files]").text
    browser.screenshot("verification-form")
    confirm(browser, "form#accept-all", screenshot="accept-all-confirmation")
    wait_for(browser, lambda: browser.driver.current_url.endswith(ward_path))
    assert browser.find("[data-status]").get_attribute("data-status") == "submitted"  # accepted, not verified
    assert browser.finds("[data-verification-started]")
    browser.screenshot("accepted-all")
    browser.click(f"a[href$='{ward_path}assess/verified/']")
    browser.click("input[name=c20_value][value=not_met]")
    browser.find("textarea[name=c20_note]").send_keys("Còn thiếu 2 biên chế so với định biên")
    browser.screenshot("verification-form-corrected")
    save(browser)
    wait_for(browser, lambda: browser.driver.current_url.endswith(ward_path))
    confirm(browser, "form[action$='/verify/']", screenshot="verify-confirmation")
    wait_for(browser, lambda: browser.find("[data-status]").get_attribute("data-status") == "verified")

    # 6. The ward page shows both results side by side.
    assert browser.find("[data-band=expected]").text == "22/22"
    assert browser.find("[data-band=verified]").text == "21/22"
    browser.screenshot("verified-ward-page")
    assessment = Assessment.objects.get(registration__unit=unit, registration__year__year=2023)
    assert (assessment.status, assessment.self_met, assessment.verified_met) == (Status.VERIFIED, 22, 21)
    accepted = Result.history.filter(assessment_id=assessment.pk, history_change_reason=str(ACCEPTED))
    assert accepted.count() == 22  # one entry per criterion, saying it was accepted

    # 7. The history lists every step, with who and why.
    browser.click("a[href$='/history/']")
    history = browser.text()
    for expected in ["Nguyễn Thu Hà", "Trần Minh Đức", "Đề nghị bổ sung biên bản bàn giao đất trụ sở", "biên bản.pdf",
                     "Còn thiếu 2 biên chế so với định biên"]:
        assert expected in history
    assert len(browser.finds("[data-change]")) >= 22 * 2 + 5
    browser.screenshot("history")
    violations = [e for e in browser.console_errors() if "Content Security Policy" in e or "Refused" in e]
    assert violations == []


def test_phone_sized_pages_are_usable(transactional_db, live_server):
    ensure_demo()
    driver = make_driver(width=390, height=844)
    browser = Browser(driver, live_server.url, "phone")
    try:
        browser.log_in("nghean.demo", PASSWORD)
        wait_for(browser, lambda: browser.finds("[data-queue=province]"))
        browser.screenshot("home")
        assert driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth") <= 0
        browser.open("/reports/2023/")
        browser.screenshot("summary")
        browser.open("/reports/2023/provinces/40/")
        browser.screenshot("province")
        # nothing is wider than the screen: tables scroll inside their own box
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        browser.click("button.navbar-toggler")
        wait_for(browser, lambda: browser.find("#nav").is_displayed())
        browser.screenshot("menu-open")
    finally:
        driver.quit()


def test_dashboard_charts_render_offline(transactional_db, browser):
    ensure_demo()
    browser.log_in("bo.demo", PASSWORD)
    for page, chart in [("", "chart-bands"), ("criteria/", "chart-gaps"), ("trend/", "chart-trend")]:
        browser.open(f"/reports/2023/{page}")
        svg = browser.find(f"svg[data-chart='{chart}']")
        assert svg.size["width"] > 300 and svg.size["height"] > 50
        browser.screenshot(f"national-{chart}")
    browser.open("/reports/2023/")
    resources = browser.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert resources and all(name.startswith(browser.base_url) for name in resources)
    browser.screenshot("national-dashboard")
    browser.click("[data-exports] button")  # Bootstrap's dropdown runs under the Content-Security-Policy
    browser.wait(lambda: browser.find("[data-exports] .dropdown-menu").is_displayed())
    browser.screenshot("export-menu")
    browser.open("/reports/2023/provinces/79/")
    browser.screenshot("province-dashboard")
    browser.open("/reports/2023/?map=current")
    browser.screenshot("current-map")
    browser.open("/reports/targets/")
    browser.screenshot("targets")
    browser.open("/wards/unit/current/00070/")
    browser.screenshot("lineage")
    violations = [e for e in browser.console_errors() if "Content Security Policy" in e or "Refused" in e]
    assert violations == []


def test_from_the_work_queue_to_a_returned_ward(transactional_db, browser):
    """The ministry's home page lists what waits; three clicks return a ward; the province sees it at once."""
    ensure_demo()
    reason = "Đề nghị bổ sung biên bản kiểm tra trụ sở (bản có chữ ký)"
    browser.log_in("bo.demo", PASSWORD)
    wait_for(browser, lambda: browser.finds("[data-queue=ministry]"))
    assert browser.find("[data-queue-total]").get_attribute("data-queue-total") == "132"
    assert browser.find("[data-nav-waiting]").text == "132"
    browser.screenshot("home-ministry")
    Select(browser.find("select[name=province]")).select_by_value("01")
    browser.click("#queue-filter button[type=submit]")
    wait_for(browser, lambda: "province=01" in browser.driver.current_url)
    row = browser.find("tr[data-ward]")
    code = row.get_attribute("data-ward")
    browser.click(f"tr[data-ward='{code}'] td:nth-child(2) a")  # click 1: the ward
    wait_for(browser, lambda: browser.driver.current_url.endswith(f"/wards/{code}/2023/"))
    browser.click("details summary.btn-outline-warning")  # click 2: "return"
    browser.find("textarea[name=reason]").send_keys(reason)
    confirm(browser, "form[action$='/return/']")  # click 3: send, and confirm
    wait_for(browser, lambda: browser.find("[data-status]").get_attribute("data-status") == "returned")
    browser.log_out()

    browser.log_in("hanoi.demo", PASSWORD)
    wait_for(browser, lambda: browser.finds("[data-queue=province]"))
    assert reason in browser.find(f"[data-returned='{code}'] [data-return-reason]").text
    browser.screenshot("home-province")
    browser.log_out()

    browser.log_in("admin.demo", PASSWORD)
    wait_for(browser, lambda: browser.finds("[data-queue=ministry]"))
    assert browser.find("[data-queue-total]").get_attribute("data-queue-total") == "131"
    browser.screenshot("home-admin")


def test_the_ward_picker_finds_a_ward_without_diacritics(transactional_db, browser):
    ensure_demo()
    unit = Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD, province__code="01",
                               registrations__isnull=True, name="Phường Phú Diễn").first()
    assert unit is not None
    browser.log_in("hanoi.demo", PASSWORD)
    browser.open("/reports/2023/provinces/01/register/")
    total = len(browser.finds("select[name=unit] option:not([hidden])"))
    browser.find("#id_unit-search").send_keys("phu dien")
    visible = browser.finds("select[name=unit] option:not([hidden])")
    assert 0 < len(visible) < total
    assert all("Phú Diễn" in option.text for option in visible if option.get_attribute("value"))
    browser.screenshot("ward-picker")
    assert Select(browser.find("select[name=unit]")).first_selected_option.get_attribute("value") == str(unit.pk)
    browser.find("#id_unit-search").send_keys(Keys.ENTER)  # to the list, the first match chosen
    browser.click("main form button[type=submit]")
    wait_for(browser, lambda: browser.driver.current_url.endswith(f"/wards/{unit.code}/2023/"))
    violations = [e for e in browser.console_errors() if "Content Security Policy" in e or "Refused" in e]
    assert violations == []


def _shot_of(browser, css, label):
    """Save one element of the page (a map) as NN-label.png, the window tall enough to hold it."""
    element = browser.find(css)
    size = browser.driver.get_window_size()
    browser.driver.set_window_size(size["width"], max(size["height"], element.size["height"] + 200))
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'start', behavior: 'instant'})", element)
    browser.count += 1
    path = browser.folder / f"{browser.count:02d}-{label}.png"
    element.screenshot(str(path))
    browser.driver.set_window_size(size["width"], size["height"])
    return path


def _map_loaded(browser):
    image = browser.find("img[data-unit-map]")
    browser.wait(lambda: browser.driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth",
                                                       image))
    return image


@pytest.mark.parametrize("device, width, height", [("desktop", 1280, 900), ("phone", 390, 844)])
def test_the_maps_draw_the_country(transactional_db, live_server, device, width, height):
    """The national dot map, the tiles on today's map and a province's map, on a desktop and a phone."""
    ensure_demo()
    driver = make_driver(width=max(width, 500), height=height)
    if device == "phone":  # headless Chromium's window is never narrower than 500 px: emulate the phone's screen
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": 1800, "deviceScaleFactor": 1, "mobile": True})
    browser = Browser(driver, live_server.url, f"maps-{device}")
    try:
        browser.log_in("bo.demo", PASSWORD)
        browser.open("/reports/2023/")
        image = _map_loaded(browser)
        assert driver.execute_script("return window.innerWidth") == width
        assert 300 <= image.size["width"] <= width
        _shot_of(browser, "#map", "national-map")
        _shot_of(browser, "[data-tiles]", "legacy-tiles")
        browser.open("/reports/2023/?map=current")
        assert len(browser.finds("[data-tiles] a")) == 34
        _shot_of(browser, "[data-tiles]", "current-map-tiles")
        browser.open("/reports/2023/provinces/48/")
        _map_loaded(browser)
        _shot_of(browser, "#map", "province-map-da-nang")
        browser.open("/reports/2023/provinces/01/")
        _map_loaded(browser)
        _shot_of(browser, "#map", "province-map-ha-noi")
        assert driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth") <= 0
        driver.delete_all_cookies()  # the log-out button is in the phone's folded menu
        browser.log_in("hanoi.demo", PASSWORD)
        browser.open("/reports/2023/")
        _map_loaded(browser)
        _shot_of(browser, "#map", "national-map-as-ha-noi")
        violations = [e for e in browser.console_errors() if "Content Security Policy" in e or "Refused" in e]
        assert violations == []
    finally:
        driver.quit()


PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
# What each role's walk opens beyond the pages everyone sees; the ward and its history are Hà Nội's.
WALK = ["/", "/reports/2023/", "/reports/2023/?map=current", "/reports/2023/by-province/",
        "/reports/2023/by-province/?map=current", "/reports/2023/criteria/", "/reports/2023/near-misses/",
        "/reports/2023/trend/", "/reports/2023/provinces/01/", "/reports/2023/provinces/01/criteria/",
        "/reports/2023/provinces/01/near-misses/", "/reports/2023/provinces/01/trend/", "/reports/targets/",
        "{ward}", "{ward}history/", "/reports/2023/outcomes/", "{decision}", "{commendation}",
        "/wards/search/?q=tran+phu", "/reports/2023/calendar/", "/notifications/"]
# Rendered font size of every chart's text: its computed size times the scale of its SVG on the screen.
CHART_TEXT = """
return [...document.querySelectorAll('svg.chart-svg text')].filter(t => t.getClientRects().length).map(t =>
  [parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a, t.textContent]);
"""
OVERFLOW = """
const root = document.documentElement;
const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > root.clientWidth + 1)
  .filter(e => !e.parentElement.closest('.table-responsive, .overflow-auto, svg'));
return [root.scrollWidth, root.clientWidth, wide.slice(0, 5).map(e => e.tagName + '.' + e.className)];
"""


def _walk_paths(browser):
    """The walk's paths with the ward (one of Hà Nội's with a long history) and the outcomes' first decision
    and commendation filled in, as a reader would reach them by links."""
    ward = Assessment.objects.filter(year__year=2023, registration__unit__province__code="01",
                                     status=Status.VERIFIED).select_related("registration__unit").first()
    links = {"ward": f"/wards/{ward.registration.unit.code}/2023/"}
    browser.open("/reports/2023/outcomes/")
    for key, css in [("decision", "main a[href*='/decisions/']:not([href*='new']):not([href$='.pdf'])"),
                     ("commendation", "main a[href*='/commendations/']:not([href*='new'])")]:
        found = browser.finds(css)
        links[key] = found[0].get_attribute("href").removeprefix(browser.base_url) if found else ""
    return [path.format(**links) for path in WALK if path.format(**links)]


def _full_shot(browser, label, metrics):
    """The whole page as NN-label.png under device emulation (the window's size does not apply there)."""
    driver = browser.driver
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": min(max(height, 600), 6000)})
    browser.count += 1
    path = browser.folder / f"{browser.count:02d}-{label}.png"
    driver.save_screenshot(str(path))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    return path


def _walk(role, metrics, name):
    ensure_demo()
    driver = make_driver(width=max(metrics["width"], 500), height=metrics["height"])
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    browser = Browser(driver, _walk.live_server.url, name)
    pages = {}
    try:
        browser.log_in(role, PASSWORD)
        for path in _walk_paths(browser):
            browser.open(path)
            status = driver.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus")
            scroll, client, wide = driver.execute_script(OVERFLOW)
            sizes = driver.execute_script(CHART_TEXT)
            change = driver.execute_script(  # the history's widest "Change" cell: not a word per line
                "return Math.max(0, ...[...document.querySelectorAll('[data-change]')]"
                ".map(e => e.getBoundingClientRect().width))")
            pages[path] = {"status": status, "scroll": scroll, "client": client, "wide": wide,
                           "smallest": min(sizes, default=None), "change": change}
            label = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-").replace("+", "-") or "home"
            _full_shot(browser, label, metrics)
        violations = [e for e in browser.console_errors() if "Content Security Policy" in e or "Refused" in e]
    finally:
        driver.quit()
    for path, page in pages.items():
        print(role, metrics["width"], path, page)
    return pages, violations


@pytest.fixture
def walk(transactional_db, live_server):
    _walk.live_server = live_server
    return _walk


@pytest.mark.parametrize("role", ["bo.demo", "hanoi.demo", "admin.demo"])
def test_phone_walk(walk, role):
    """At 390 px on a phone no page of the walk scrolls sideways and no chart's text is under 11 px."""
    pages, violations = walk(role, PHONE, f"phone-walk-{role.split('.')[0]}")
    assert len([p for p in pages.values() if p["status"] == 200]) >= 12
    assert {path: (p["scroll"], p["client"], p["wide"]) for path, p in pages.items()
            if p["scroll"] > p["client"]} == {}
    small = {path: p["smallest"] for path, p in pages.items() if p["smallest"] and p["smallest"][0] < 11}
    assert small == {}
    assert any(p["smallest"] for p in pages.values())  # the charts were measured
    history = next(p for path, p in pages.items() if path.endswith("/history/"))
    assert history["change"] >= 300  # a phone's history gives each change the screen's width
    assert violations == []


def test_desktop_walk_keeps_chart_text_readable(walk):
    pages, violations = walk("bo.demo", {**PHONE, "width": 1280, "height": 900, "mobile": False}, "desktop-walk")
    small = {path: p["smallest"] for path, p in pages.items() if p["smallest"] and p["smallest"][0] < 11}
    assert small == {}
    assert all(p["scroll"] <= p["client"] for p in pages.values())
    assert violations == []
