import csv
import io
import json

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def export(*args):
    out = io.StringIO()
    call_command("export_summary", *args, stdout=out)
    return out.getvalue()


def test_json_summary_carries_the_published_figures():
    data = json.loads(export("--year", "2023", "--format", "json"))
    assert data["year"] == 2023
    assert (data["registered"], data["quota"], data["exceeded_by"]) == (172, 106, 66)
    assert data["expected"] == {"22/22": 144, "21/22": 25, "20/22": 3, "below": 0}
    assert sum(data["verified"].values()) == 40
    assert len(data["provinces"]) == 63
    hanoi = next(p for p in data["provinces"] if p["code"] == "01")
    assert hanoi["name"] == "Thành phố Hà Nội"
    assert hanoi["quota"] == 12
    assert sum(p["registered"] for p in data["provinces"]) == 172
    assert set(hanoi) >= {"code", "name", "registered", "quota", "expected", "verified"}


def test_json_keeps_vietnamese_text_readable():
    text = export("--year", "2023")
    assert "Thành phố Hồ Chí Minh" in text
    assert "\\u" not in text


def test_csv_summary_has_a_row_per_province_and_a_total():
    rows = list(csv.reader(io.StringIO(export("--year", "2023", "--format", "csv"))))
    assert len(rows) == 1 + 63 + 1
    header, total = rows[0], rows[-1]
    assert total[2:5] == ["172", "106", "66"]
    assert total[9:13] == ["144", "25", "3", "0"]
    assert "22/22" in " ".join(header)
    assert any(row[1] == "Tỉnh Nghệ An" for row in rows)


def test_csv_file_output_has_a_bom_for_excel(tmp_path):
    target = tmp_path / "summary.csv"
    assert export("--year", "2023", "--format", "csv", "--output", str(target)) == ""
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Thành phố Đà Nẵng" in raw.decode("utf-8-sig")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--year", "1999"], "Unknown programme year '1999'"),
        (["--year", "abc"], "Unknown programme year 'abc'"),
        (["--year", "2023", "--format", "xml"], "Unknown format 'xml'"),
    ],
)
def test_bad_arguments_are_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        export(*args)


def test_bad_year_exits_non_zero_with_one_line(capsys):
    with pytest.raises(SystemExit) as excinfo:
        ManagementUtility(["manage.py", "export_summary", "--year", "1999"]).execute()
    assert excinfo.value.code != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "1999" in err and "2023" in err


def test_unwritable_output_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        export("--year", "2023", "--output", str(tmp_path / "missing-dir" / "x.json"))


def test_json_gives_each_status_and_says_which_map():
    data = json.loads(export("--year", "2023", "--format", "json"))
    assert data["map"] == "legacy"
    assert set(data["status"]) == {"draft", "submitted", "returned", "verified"}
    assert sum(data["status"].values()) == data["registered"] == 172
    assert data["submitted"] == data["status"]["submitted"] + data["status"]["returned"] + data["status"]["verified"]
    assert data["not_submitted"] == data["status"]["draft"]
    for province in data["provinces"]:
        assert sum(province["status"].values()) == province["registered"]


def test_the_current_map_keeps_every_legacy_total_and_states_the_units_covered_apart():
    legacy = json.loads(export("--year", "2023", "--format", "json"))
    current = json.loads(export("--year", "2023", "--map", "current", "--format", "json"))
    assert current["map"] == "current"
    assert len(current["provinces"]) == 34
    for key in ("registered", "quota", "submitted", "status", "expected", "verified", "recognised_units",
                "near_misses", "eligible_units"):
        assert current[key] == legacy[key], key
    assert current["recognised_units"] == 36
    # today's units covered: distinct main successors, fewer where recognised wards merged
    assert 0 < current["units_covered"] <= current["recognised_units"]
    assert current["units_covered"] == sum(p["units_covered"] for p in current["provinces"])
    assert current["current_units"] == sum(p["current_units"] for p in current["provinces"])
    assert sorted(code for p in current["provinces"] for code in p["formed_from"]) == sorted(
        p["code"] for p in legacy["provinces"])


def test_the_current_map_csv_has_a_row_per_current_province():
    rows = list(csv.reader(io.StringIO(export("--year", "2023", "--map", "current", "--format", "csv"))))
    assert len(rows) == 1 + 34 + 1


@pytest.mark.parametrize("args, message", [
    (["--year", "2023", "--map", "current", "--report", "wards", "--format", "csv"], "summary report only"),
    (["--year", "2023", "--map", "sideways"], "invalid choice"),
])
def test_the_map_option_refuses_what_it_cannot_do(args, message):
    with pytest.raises(CommandError, match=message):
        export(*args)
