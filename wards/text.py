"""Vietnamese text helpers."""

import re
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


# What a unit's name starts with, glued into one word in search keys so that a query
# never matches across it: "Thị trấn Phủ Thông" is "thi_tran phu thong", in which
# "tran phu" is not found (it is in "Phường Trần Phú", "phuong tran phu").
NAME_KINDS = ("thi tran", "dac khu", "phuong", "xa")
# No user-typed word holds "_", so the glued kinds are told apart from the words of a name.
GLUED_KINDS = tuple(kind.replace(" ", "_") for kind in NAME_KINDS)


def search_words(text):
    """The words of `text` as the search compares them: folded, without punctuation, the kind glued.

    An apostrophe joins ("Xã Ea H'Leo" -> "xa ea hleo"), any other punctuation
    separates ("Văn Miếu - Quốc Tử Giám" -> "van mieu quoc tu giam").
    """
    folded = fold(text).replace("'", "").replace("\u2019", "")
    words = " ".join(re.findall(r"[a-z0-9]+", folded))
    for kind, glued in zip(NAME_KINDS, GLUED_KINDS):
        if words == kind or words.startswith(kind + " "):
            return glued + words[len(kind):]
    return words


def search_key(*names):
    """Names as stored for a whole-word search: each one's words padded with spaces, " | " between.

    A query's words padded the same way (" tran phu ") are then found by a plain
    LIKE, the same on SQLite and PostgreSQL, and only as whole words of one name.
    """
    return "|".join(f" {search_words(name)} " for name in names)
