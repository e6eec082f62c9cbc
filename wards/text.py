"""Vietnamese text helpers."""

import unicodedata


def fold(text):
    """Lower-case `text` and strip Vietnamese diacritics, so "Hoàn Kiếm" matches "hoan kiem".

    "đ" is a letter of its own, not a "d" with a mark, so Unicode decomposition
    leaves it alone: it is mapped by hand.
    """
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    # Control characters (NUL above all, which PostgreSQL refuses) are never part of a name.
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())
