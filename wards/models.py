"""Provinces and administrative units of both administrative periods.

On 1 July 2025 Vietnam went from 63 provinces (with districts) to 34 (without).
Both sets live side by side, each row tagged with its period: programme years
2023-2024 refer to legacy units, 2025 onward to current ones. Official codes are
unique only within a period (legacy "00004" is Phường Trúc Bạch, current "00004"
is Phường Ba Đình), so every lookup by code names the period too.
"""


import re

from django.db import models
from django.db.models import Case, Q, When
from django.utils.translation import gettext_lazy as _

from .text import GLUED_KINDS, fold, search_key, search_words


class Period(models.TextChoices):
    LEGACY = "legacy", _("Before 1 July 2025 (63 provinces)")
    CURRENT = "current", _("From 1 July 2025 (34 provinces)")

    @classmethod
    def for_year(cls, year):
        """The administrative period a programme year's units come from."""
        return cls.LEGACY if int(year) <= 2024 else cls.CURRENT


class ProvinceKind(models.TextChoices):
    PROVINCE = "tinh", _("Province")
    CITY = "thanh_pho", _("Centrally-run city")


class DistrictKind(models.TextChoices):
    URBAN = "quan", _("Urban district")
    RURAL = "huyen", _("Rural district")
    TOWN = "thi_xa", _("District-level town")
    CITY = "thanh_pho", _("Provincial city")


class UnitKind(models.TextChoices):
    WARD = "phuong", _("Ward")
    COMMUNE = "xa", _("Commune")
    TOWNSHIP = "thi_tran", _("Township")
    SPECIAL_ZONE = "dac_khu", _("Special zone")


class SearchableQuerySet(models.QuerySet):
    def search(self, query):
        """Rows whose name or code contains `query`, with or without diacritics."""
        folded = fold(query)
        if not folded:
            return self.none()
        return self.filter(search_text__contains=folded)


class UnitQuerySet(models.QuerySet):
    def search(self, query):
        """Units whose name holds the query's words, whole and in that order, or whose district or
        province does; with or without diacritics, in any case. A number also finds the unit of
        that code, with or without its leading zeros.

        Ranked (`rank`), then ordered by code: 0 the code, or the whole name ("Phường Trần
        Phú"); 1 the name without its kind ("Trần Phú"); 2 a name starting with the
        words; 3 the words within the name; 4 within its district or province.
        """
        words = search_words(query)
        if not words:
            return self.none()
        padded = f" {words} "
        found = Q(search_name__contains=padded) | Q(search_place__contains=padded)
        exact = Q(search_name=padded)
        if re.fullmatch(r"[0-9]{1,5}", query.strip()):
            code = Q(code=query.strip().zfill(5))
            found, exact = found | code, exact | code
        starts = Q(search_name__startswith=padded)
        for kind in GLUED_KINDS:
            starts |= Q(search_name__startswith=f" {kind}{padded}")
        rank = Case(
            When(exact, then=0),
            When(search_name__in=[f" {kind}{padded}" for kind in GLUED_KINDS], then=1),
            When(starts, then=2),
            When(search_name__contains=padded, then=3),
            default=4,
        )
        return self.filter(found).annotate(rank=rank).order_by("rank", "code")


class Province(models.Model):
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    code = models.CharField(_("code"), max_length=2)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=60)
    kind = models.CharField(_("type"), max_length=10, choices=ProvinceKind.choices)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        help_text=_("For a legacy province: the current province it became part of on 1 July 2025."),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        limit_choices_to={"period": Period.CURRENT},
    )
    search_text = models.CharField(max_length=250, editable=False, db_index=True)

    objects = SearchableQuerySet.as_manager()

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["period", "code"]
        constraints = [
            models.UniqueConstraint(fields=["period", "code"], name="province_unique_code_per_period"),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(period=Period.LEGACY),
                name="province_successor_only_for_legacy",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = self.make_search_text(self.name, self.short_name, self.code)
        super().save(*args, **kwargs)

    @staticmethod
    def make_search_text(name, short_name, code):
        return fold(f"{name} {short_name} {code}")


class District(models.Model):
    """A district of the legacy set; the district level was abolished on 1 July 2025."""

    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.CASCADE, related_name="districts"
    )
    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=60)
    kind = models.CharField(_("type"), max_length=10, choices=DistrictKind.choices)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Unit(models.Model):
    """A ward, commune, township or special zone: the level a police unit serves."""

    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="units"
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    code = models.CharField(_("code"), max_length=5)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=60)
    kind = models.CharField(_("type"), max_length=10, choices=UnitKind.choices)
    # Where the unit is, from the reference package (degrees, WGS 84): what the map draws.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    search_text = models.CharField(max_length=300, editable=False, db_index=True)
    # The name, and the district and province, as the search matches them (UnitQuerySet.search).
    search_name = models.CharField(max_length=110, editable=False, default="")
    search_place = models.CharField(max_length=250, editable=False, default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["period", "code"]
        constraints = [
            models.UniqueConstraint(fields=["period", "code"], name="unit_unique_code_per_period"),
            models.CheckConstraint(
                condition=Q(district__isnull=True) | Q(period=Period.LEGACY),
                name="unit_district_only_for_legacy",
            ),
        ]
        indexes = [models.Index(fields=["province", "kind"], name="unit_province_kind")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        district = self.district.name if self.district_id else ""
        self.search_text = self.make_search_text(self.name, self.code, district, self.province.short_name)
        self.search_name, self.search_place = self.make_search_keys(self.name, district, self.province.name)
        super().save(*args, **kwargs)

    @staticmethod
    def make_search_text(name, code, district_name, province_short_name):
        """Folded name, code, district and province, so any of them finds the unit."""
        return fold(f"{name} {code} {district_name} {province_short_name}")

    @staticmethod
    def make_search_keys(name, district_name, province_name):
        """(search_name, search_place): the name, and the district and province, for a whole-word search."""
        return search_key(name), search_key(district_name, province_name)


class Lineage(models.Model):
    """A legacy unit became (part of) a current one on 1 July 2025.

    Most legacy units merged whole into one current unit; some were split between
    several, and then `is_main` marks the one the official mapping names by default.
    Assessments stay on the unit they were made for: lineage only lets the
    software trace them to today's map.
    """

    legacy = models.ForeignKey(
        Unit, verbose_name=_("unit before 1 July 2025"), on_delete=models.CASCADE, related_name="successor_links",
        limit_choices_to={"period": Period.LEGACY},
    )
    current = models.ForeignKey(
        Unit, verbose_name=_("unit from 1 July 2025"), on_delete=models.CASCADE, related_name="predecessor_links",
        limit_choices_to={"period": Period.CURRENT},
    )
    is_main = models.BooleanField(
        _("main successor"), default=True,
        help_text=_("For a legacy unit split between several current ones: the one named by default."),
    )

    class Meta:
        verbose_name = _("lineage link")
        verbose_name_plural = _("lineage links")
        constraints = [
            models.UniqueConstraint(fields=["legacy", "current"], name="lineage_unique_pair"),
        ]
        indexes = [models.Index(fields=["current"], name="lineage_current")]

    def __str__(self):
        return f"{self.legacy} → {self.current}"
