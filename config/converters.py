"""URL converters: codes are digits, so anything else is a 404 before any query runs.

Official codes have a fixed width with leading zeros (province "01", unit "00004").
Spreadsheets and people drop those zeros, so a shorter code is read as the same
code padded: /wards/4/2023/ is ward 00004.
"""


class UnitCode:
    width = 5
    regex = "[0-9]{1,5}"

    def to_python(self, value):
        return value.zfill(self.width)

    def to_url(self, value):
        return value


class ProvinceCode(UnitCode):
    width = 2
    regex = "[0-9]{1,2}"
