"""Figures and dates are written one way wherever a person reads them, and stay plain where a program does.

Vietnamese (the default): "1.724", "4,4 %", "20/11/2023 10:00". English on request:
"1,724", "4.4 %", "20 Nov 2023, 10:00". Years, codes and the numbers in HTML
attributes and SVG coordinates are never localized; CSV and JSON keep plain digits
and a dot decimal.
"""

import csv
import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.defaultfilters import floatformat
from django.utils import translation
from django.utils.formats import number_format
from openpyxl import load_workbook
from pypdf import PdfReader

from criteria.templatetags.kieumau import signed
from reports.charts import Series, bar_chart
from tests.conftest import registered

pytestmark = pytest.mark.django_db

NATIONAL = "/reports/2023/"
BY_PROVINCE = "/reports/2023/by-province/"
HANOI = "/reports/2023/provinces/01/"
GROUPED = re.compile(r"\b\d{1,3}(?:[.,]\d{3})+\b")  # 1.724 or 1,724
# Attributes whose values are numbers for the browser, in the SVG charts.
SVG_NUMBERS = ("viewBox", "x", "y", "x1", "x2", "y1", "y2", "width", "height", "d", "points")


def text_of(response):
    """The page as a reader sees it: tags dropped, white space collapsed."""
    assert response.status_code == 200, response.status_code
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def in_language(language, function, *args):
    with translation.override(language):
        return str(function(*args))


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def total_of(client):
    """Eligible and recognised units of the whole country, from the machine-readable summary."""
    data = client.get("/reports/2023/summary.json").json()
    eligible, recognised = data["eligible_units"], data["recognised_units"]
    assert eligible >= 1000, "the walk needs a figure with a thousands separator"
    return eligible, recognised, 100.0 * recognised / eligible


def test_national_page_writes_thousands_with_a_dot_and_decimals_with_a_comma(client_as, ministry):
    client = client_as(ministry)
    eligible, recognised, pct = total_of(client)
    page = text_of(client.get(NATIONAL))
    grouped = in_language("vi", number_format, eligible)
    assert grouped == f"{eligible:,}".replace(",", ".")  # 1.724
    share = f"{recognised} trong số {grouped} đơn vị"
    assert share in page
    assert f"{in_language('vi', floatformat, pct, 1)} %" in page
    assert not re.findall(r"\d\.\d %", page)  # never a dot decimal
    table = text_of(client.get(BY_PROVINCE))
    assert re.findall(r"\(\d+,\d %\)", table)  # every province's share: (4,4 %)
    assert not re.findall(r"\d\.\d %", table)


def test_province_page_writes_percentages_with_a_comma(client_as, hanoi):
    page = text_of(client_as(hanoi).get(HANOI))
    assert re.search(r"\d+,\d %", page)  # 4,4 %
    assert not re.search(r"\d\.\d %", page)


def test_english_pages_write_figures_the_english_way(client_as, ministry):
    client = english(client_as(ministry))
    eligible, recognised, pct = total_of(client)
    page = text_of(client.get(NATIONAL))
    assert f"of {eligible:,} eligible units" in page  # 1,724
    assert f"{in_language('en', floatformat, pct, 1)} %" in page
    table = text_of(client.get(BY_PROVINCE))
    assert re.search(r"\(\d+\.\d %\)", table) and not re.search(r"\d,\d %", table + page)
    assert in_language("vi", number_format, eligible) not in page


def walk(client):
    """Every kind of page a user reads in a year: the year must read 2023 on each."""
    ward = registered("01")
    code = ward.unit.code
    pages = [
        NATIONAL, NATIONAL + "?map=current", BY_PROVINCE, BY_PROVINCE + "?map=current", "/reports/2023/criteria/",
        "/reports/2023/near-misses/", "/reports/2023/trend/", HANOI, "/reports/targets/", f"/wards/{code}/2023/",
        f"/wards/{code}/2023/history/", f"/wards/unit/legacy/{code}/", "/wards/search/?q=hoan+kiem",
        f"{HANOI}import/", f"{HANOI}register/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        yield url, response.content.decode()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_years_and_machine_values_are_never_localized(client_as, hanoi, language):
    client = client_as(hanoi)
    if language == "en":
        english(client)
    for url, html in walk(client):
        assert "2023" in html, url
        assert not re.search(r"\b2[.,]0\d\d\b", html), url  # never "2.023" or "2,023"
        # Every attribute that holds a number holds it plainly: data-pct="4.4", value="3", data-year="2023".
        for name, value in re.findall(r'\s([\w:-]+)="([-+\d.,\s]*\d[-+\d.,\s]*)"', html):
            assert re.fullmatch(r"-?\d+(\.\d+)?( -?\d+(\.\d+)?)*", value), (url, name, value)


def test_data_attributes_keep_a_dot_decimal(client_as, ministry):
    html = client_as(ministry).get(BY_PROVINCE).content.decode()
    shares = re.findall(r'data-pct="([^"]*)"', html)
    assert len(shares) == 63 and all(re.fullmatch(r"\d+\.\d", s) for s in shares)


def test_svg_charts_draw_with_plain_numbers(client_as, ministry):
    html = client_as(ministry).get(NATIONAL).content.decode()
    charts = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(charts) >= 4
    checked = 0
    for chart in charts:
        for tag in re.findall(r"<[a-z]+\s[^>]*>", chart):
            for name, value in re.findall(r'\s([\w:-]+)="([^"]*)"', tag):
                if name in SVG_NUMBERS and value != "100%":
                    assert "," not in value, (name, value)
                    for number in re.findall(r"-?[\d.]+", value):
                        float(number)
                    checked += 1
    assert checked > 100


def test_history_dates_read_day_month_year_then_time(client_as, hanoi):
    url = f"/wards/{registered('01').unit.code}/2023/history/"
    client = client_as(hanoi)
    dates = re.findall(r'<td class="text-nowrap">([^<]*)</td>', client.get(url).content.decode())
    assert dates and all(re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", d) for d in dates), dates
    dates = re.findall(r'<td class="text-nowrap">([^<]*)</td>', english(client).get(url).content.decode())
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", d) for d in dates), dates


def test_pdf_writes_figures_as_the_pages_do(client_as, ministry):
    client = client_as(ministry)
    eligible, recognised, pct = total_of(client)
    text = pdf_text(client.get("/reports/2023/export/summary.pdf").content)
    vi_share = f"{recognised}/{in_language('vi', number_format, eligible)} ({in_language('vi', floatformat, pct, 1)} %)"
    assert vi_share in text  # 36/1.724 (2,1 %)
    assert re.search(r"\(\d+,\d %\)", text) and not re.search(r"\d\.\d %", text)
    assert re.search(r"\d{2}/\d{2}/\d{4}", text)  # issued on
    assert "2023" in text and not re.search(r"\b2[.,]0\d\d\b", text)

    text = pdf_text(english(client).get("/reports/2023/export/summary.pdf").content)
    assert f"{recognised}/{eligible:,} ({in_language('en', floatformat, pct, 1)} %)" in text  # 36/1,724 (2.1 %)
    assert re.search(r"\(\d+\.\d %\)", text) and not re.search(r"\d,\d %", text)


def test_pdf_of_a_province_from_the_command_is_vietnamese(tmp_path):
    call_command("export_summary", "--year", "2023", "--format", "pdf", "--province", "01",
                 "--output", str(tmp_path / "hanoi.pdf"), stdout=io.StringIO())
    text = pdf_text((tmp_path / "hanoi.pdf").read_bytes())
    assert re.search(r"\(\d+,\d %\)", text) and not re.search(r"\d\.\d %", text)
    assert "Trang 1" in text  # "page 1 of N", in Vietnamese


def test_csv_and_json_stay_machine_readable(client_as, ministry):
    client = client_as(ministry)
    eligible, recognised, pct = total_of(client)
    body = b"".join(client.get("/reports/2023/export/summary.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    total = rows[-1]  # code, name, registered, quota, exceeded by, eligible, recognised, recognised (%)
    assert total[5] == str(eligible)  # 1724
    assert total[7] == str(round(pct, 1))  # 2.1: a dot decimal, no separator
    assert all(re.fullmatch(r"-?\d+(\.\d+)?", cell) for row in rows[1:] for cell in row[2:8])
    data = client.get("/reports/2023/summary.json").json()
    assert isinstance(data["year"], int) and isinstance(data["recognised_pct"], float)


def test_xlsx_keeps_numbers_with_display_formats(client_as, ministry):
    response = client_as(ministry).get("/reports/2023/export/summary.xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    headline, provinces = workbook.worksheets
    year = headline["B2"]
    assert year.value == 2023 and year.number_format == "General"  # not 2.023
    total = list(provinces.iter_rows())[-1]
    eligible, pct = total[5], total[7]
    assert isinstance(eligible.value, int) and eligible.number_format == "#,##0"  # Excel shows 1.724 in Vietnamese
    assert isinstance(pct.value, float) and pct.number_format == "#,##0.0"  # and 2,1


def test_admin_lists_programme_years_without_a_separator(client_as, administrator):
    html = client_as(administrator).get("/admin/criteria/programmeyear/").content.decode()
    assert ">2023</a>" in html and "2.023" not in html


def test_differences_and_chart_values_are_localized():
    with translation.override("vi"):
        assert (signed(1066), signed(-3), signed(0)) == ("+1.066", "-3", "0")
        chart = bar_chart("t", [("a", [1724])], [Series("s", "c")], "c")
    assert '<text x="' in chart and ">1.724</text>" in chart and 'data-value="1724"' in chart
