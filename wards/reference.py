"""Load provinces, districts and units of both periods from the `vietnamadminunits` package.

The package carries the legacy set (63 provinces with districts, valid until
2025-06-30) and the current set (34 provinces, from 2025-07-01), with official
codes, plus the official old-to-new province mapping. Nothing here is typed by hand.

It also loads the lineage: which current unit(s) each legacy unit became.

`sync_reference_data()` is idempotent: it creates what is missing, updates what
differs, and never deletes anything (assessments point at units; nothing here
touches an assessment or its history).
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from vietnamadminunits.converter import converter_2025
from vietnamadminunits.database import get_data

from .models import District, DistrictKind, Lineage, Period, Province, ProvinceKind, Unit, UnitKind
from .signals import units_moved

UNIT_KINDS = {
    "Phường": UnitKind.WARD,
    "Xã": UnitKind.COMMUNE,
    "Thị trấn": UnitKind.TOWNSHIP,
    "Đặc khu": UnitKind.SPECIAL_ZONE,
}
DISTRICT_KINDS = {
    "Quận": DistrictKind.URBAN,
    "Huyện": DistrictKind.RURAL,
    "Thị xã": DistrictKind.TOWN,
    "Thành phố": DistrictKind.CITY,
}


def province_kind(name):
    return ProvinceKind.CITY if name.startswith("Thành phố") else ProvinceKind.PROVINCE


@dataclass
class SyncReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def changed(self):
        return bool(sum(self.created.values()) or sum(self.updated.values()))


def read_package():
    """The package's rows, as plain dicts keyed the way our models are."""
    legacy_rows = get_data(
        fields=[
            "provinceCode", "province", "provinceShort", "provinceKey",
            "districtCode", "district", "districtShort", "districtType", "districtKey",
            "wardCode", "ward", "wardShort", "wardType", "wardKey", "wardLat", "wardLon",
        ],
        table="admin_units_legacy",
    )
    current_rows = get_data(
        fields=["provinceCode", "province", "provinceShort", "provinceKey",
                "wardCode", "ward", "wardShort", "wardType", "wardKey", "wardLat", "wardLon"],
        table="admin_units",
    )
    provinces, districts, units, keys, unit_keys = {}, {}, {}, {}, {}
    for period, rows in ((Period.LEGACY, legacy_rows), (Period.CURRENT, current_rows)):
        for row in rows:
            pkey = (period, row["provinceCode"])
            keys[(period, row["provinceKey"])] = row["provinceCode"]
            provinces[pkey] = {
                "name": row["province"],
                "short_name": row["provinceShort"],
                "kind": province_kind(row["province"]),
            }
            if period == Period.LEGACY:
                districts[row["districtCode"]] = {
                    "province": pkey,
                    "name": row["district"],
                    "short_name": row["districtShort"],
                    "kind": DISTRICT_KINDS[row["districtType"]],
                }
            if not row["wardCode"]:
                # Island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) had no
                # communes below them in the legacy set.
                continue
            if period == Period.LEGACY:
                unit_keys[f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}"] = row["wardCode"]
            else:
                unit_keys[(row["provinceKey"], row["wardKey"])] = row["wardCode"]
            units[(period, row["wardCode"])] = {
                "province": pkey,
                "district": row["districtCode"] if period == Period.LEGACY else None,
                "name": row["ward"],
                "short_name": row["wardShort"],
                "kind": UNIT_KINDS[row["wardType"]],
                "latitude": row["wardLat"],
                "longitude": row["wardLon"],
            }
    successors = {}
    for current_key, legacy_keys in converter_2025.DICT_PROVINCE.items():
        current_code = keys[(Period.CURRENT, current_key)]
        for legacy_key in legacy_keys:
            successors[(Period.LEGACY, keys[(Period.LEGACY, legacy_key)])] = (Period.CURRENT, current_code)
    for pkey in provinces:
        provinces[pkey]["successor"] = successors.get(pkey)
    return provinces, districts, units, _lineage(unit_keys)


def _lineage(unit_keys):
    """{(legacy code, current code): is_main} from the package's official 2025 mapping.

    Most legacy units went whole into one current unit; a split one lists every
    current unit it went into and which is the default.
    """
    pairs = {}
    for province_key, wards in converter_2025.DICT_PROVINCE_WARD_NO_DIVIDED.items():
        for ward_key, legacy_keys in wards.items():
            current = unit_keys[(province_key, ward_key)]
            for legacy_key in legacy_keys:
                if legacy_key in unit_keys:  # island districts had no communes to map
                    pairs[(unit_keys[legacy_key], current)] = True
    for province_key, split in converter_2025.DICT_PROVINCE_WARD_DIVIDED.items():
        for legacy_key, parts in split.items():
            if legacy_key not in unit_keys:
                continue
            for part in parts:
                pairs[(unit_keys[legacy_key], unit_keys[(province_key, part["newWardKey"])])] = part["isDefaultNewWard"]
    return pairs


def _sync(model, wanted, existing, report, label):
    """Create rows missing from `existing`, update rows whose fields differ."""
    to_create, to_update, changed_fields = [], [], set()
    for key, values in wanted.items():
        obj = existing.get(key)
        if obj is None:
            to_create.append(model(**values))
            continue
        diff = {name for name, value in values.items() if getattr(obj, name) != value}
        if diff:
            for name in diff:
                setattr(obj, name, values[name])
            to_update.append(obj)
            changed_fields |= diff
        else:
            report.unchanged[label] += 1
    created = model.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=1000)
    report.created[label] += len(to_create)
    report.updated[label] += len(to_update)
    return created


@transaction.atomic
def sync_reference_data():
    provinces, districts, units, lineage = read_package()
    report = SyncReport()

    existing = {(p.period, p.code): p for p in Province.objects.all()}
    wanted = {}
    for (period, code), values in provinces.items():
        wanted[(period, code)] = {
            "period": period, "code": code, "name": values["name"],
            "short_name": values["short_name"], "kind": values["kind"],
            "search_text": Province.make_search_text(values["name"], values["short_name"], code),
        }
    _sync(Province, {k: v for k, v in wanted.items() if k[0] == Period.CURRENT}, existing, report, "provinces")
    province_ids = {(p.period, p.code): p.id for p in Province.objects.all()}
    legacy = {}
    for key, values in wanted.items():
        if key[0] == Period.LEGACY:
            successor = provinces[key]["successor"]
            legacy[key] = {**values, "successor_id": province_ids[successor] if successor else None}
    _sync(Province, legacy, existing, report, "provinces")
    province_ids = {(p.period, p.code): p.id for p in Province.objects.all()}
    all_provinces = list(Province.objects.all())
    province_short = {(p.period, p.code): p.short_name for p in all_provinces}
    province_names = {(p.period, p.code): p.name for p in all_provinces}

    _sync(
        District,
        {
            code: {"code": code, "province_id": province_ids[v["province"]], "name": v["name"],
                   "short_name": v["short_name"], "kind": v["kind"]}
            for code, v in districts.items()
        },
        {d.code: d for d in District.objects.all()},
        report,
        "districts",
    )
    district_ids = dict(District.objects.values_list("code", "id"))
    district_names = dict(District.objects.values_list("code", "name"))

    wanted_units = {}
    for (period, code), v in units.items():
        district_name = district_names.get(v["district"], "") if v["district"] else ""
        search_name, search_place = Unit.make_search_keys(v["name"], district_name, province_names[v["province"]])
        wanted_units[(period, code)] = {
            "period": period,
            "code": code,
            "province_id": province_ids[v["province"]],
            "district_id": district_ids[v["district"]] if v["district"] else None,
            "name": v["name"],
            "short_name": v["short_name"],
            "kind": v["kind"],
            "latitude": v["latitude"],
            "longitude": v["longitude"],
            "search_text": Unit.make_search_text(v["name"], code, district_name, province_short[v["province"]]),
            "search_name": search_name,
            "search_place": search_place,
        }
    _sync(Unit, wanted_units, {(u.period, u.code): u for u in Unit.objects.all()}, report, "units")
    units_moved.send(sender=Unit)

    unit_ids = {(period, code): pk for pk, period, code in Unit.objects.values_list("pk", "period", "code")}
    _sync(
        Lineage,
        {
            (unit_ids[(Period.LEGACY, legacy)], unit_ids[(Period.CURRENT, current)]): {
                "legacy_id": unit_ids[(Period.LEGACY, legacy)],
                "current_id": unit_ids[(Period.CURRENT, current)],
                "is_main": is_main,
            }
            for (legacy, current), is_main in lineage.items()
        },
        {(link.legacy_id, link.current_id): link for link in Lineage.objects.all()},
        report,
        "lineage links",
    )
    return report
