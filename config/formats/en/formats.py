"""English formats: Django's separators (1,724 and 4.4); dates day first, month in letters.

"20 Nov 2023" cannot be misread by the Vietnamese readers of the English pages, as
Django's American "11/20/2023" could.
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
