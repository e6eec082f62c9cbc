"""URL converters: codes are digits, so anything else is a 404 before any query runs."""


class UnitCode:
    regex = "[0-9]{1,5}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class ProvinceCode(UnitCode):
    regex = "[0-9]{1,2}"
