"""Vietnamese formats: Django's separators (1.724 and 4,4), dates as written in Vietnam.

Django's own `vi` dates are "H:i d-m-Y" and "Ngày d tháng n năm Y"; official documents
and the programme's forms write 20/11/2023, and the time after the date.
"""

DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
