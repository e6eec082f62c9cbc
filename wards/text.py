"""Vietnamese text helpers."""

import unicodedata


def fold(text):
    """Lower-case `text` and strip Vietnamese diacritics, so "Hoàn Kiếm" matches "hoan kiem".

    "đ" is a letter of its own, not a "d" with a mark, so Unicode decomposition
    leaves it alone: it is mapped by hand.
    """
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())
