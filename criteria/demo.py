"""Demo data: programme year 2023 as the ministry reported it on 11 December 2023.

Figures reproduced exactly (PROGRAMME.md): quota 106, 172 registered wards in all
63 provinces (66 over quota), self-assessed 144 at 22/22, 25 at 21/22, 3 at 20/22.
Which wards, and which criteria the near-misses lack, are drawn with a fixed seed:
plausible, not real.

The quota rule as published is "one ward per province, plus one per urban district
(quận) of the 5 centrally-run cities", which gives 63 + 47 = 110 on the legacy unit
list (district counts moved between 2023 and mid-2025), not the published 106. We
keep one per province (63) and split the remaining 43 between the 5 cities in
proportion to their number of quận, by largest remainder: Hà Nội 1+11, TP Hồ Chí
Minh 1+15, Hải Phòng 1+7, Đà Nẵng 1+5, Cần Thơ 1+5.
"""

import datetime
import os
import random
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from wards.models import DistrictKind, Period, Province, Unit, UnitKind

from .access import Role
from .catalogue import WORKING_CATALOGUE, install_catalogue, read_catalogue
from .models import (
    Assessment,
    CatalogueVersion,
    Criterion,
    CriterionGroup,
    ProgrammeYear,
    Profile,
    Quota,
    Registration,
    Result,
    ResultValue,
    Status,
)

SEED = 20231211
YEAR = 2023
QUOTA_TOTAL = 106
REGISTERED = 172
# Offset from a full score -> number of wards, as self-assessed in November 2023.
EXPECTED_BANDS = {0: 144, 1: 25, 2: 3}
CENTRAL_CITIES = ["01", "79", "31", "48", "92"]  # Hà Nội, TP HCM, Hải Phòng, Đà Nẵng, Cần Thơ
VERIFIED_COUNT = 40

# The criteria wards most often fall short of, with weights: the report itself
# names headquarters land, equipment and staffing as where provinces invested.
SHORTFALLS = {18: 6, 19: 4, 20: 3, 10: 2, 14: 2, 15: 1, 22: 1, 5: 1}
SHORTFALL_NOTES = {
    18: "Trụ sở đang cải tạo; diện tích đất chưa đạt định mức, đang chờ UBND phường bàn giao thêm.",
    19: "Còn thiếu phương tiện và thiết bị kỹ thuật theo tiêu chuẩn định mức; đã có kế hoạch mua sắm.",
    20: "Biên chế còn thiếu so với định biên; Công an tỉnh đang điều động bổ sung.",
    10: "Còn xảy ra tụ tập cổ vũ đua xe trái phép vào dịp cuối tuần.",
    14: "Một số tuyến phố còn tình trạng lấn chiếm vỉa hè kéo dài.",
    15: "Còn điểm tập kết rác thải tự phát tại khu dân cư giáp ranh.",
    22: "Tỷ lệ hài lòng của người dân qua khảo sát chưa đạt mức yêu cầu.",
    5: "Còn một điểm phức tạp về tệ nạn xã hội chưa được xóa bỏ dứt điểm.",
}
DEMO_REASON = f"Dữ liệu mẫu năm {YEAR}"  # the history's reason for every change load_demo makes
VERIFIED_NOTE = "Đoàn kiểm tra của Bộ đã xác minh thực tế hồ sơ và hiện trường."
DISAGREEMENT_NOTE = "Xác minh thực tế: chưa đạt, khác với kết quả tự đánh giá của địa phương."

DEMO_MAIL_DOMAIN = "example.invalid"  # reserved (RFC 2606): mail to it never reaches anyone
# The demo's accounts: role, province, and a person's name (invented, as every name of the
# demo: no real person is meant), family name first as Vietnamese writes it, so that the
# history and the work queue say who did what as they would for real staff.
DEMO_USERS = {
    "admin.demo": (Role.ADMIN, None, "Phạm", "Quốc Huy"),
    "bo.demo": (Role.MINISTRY, None, "Trần", "Minh Đức"),
    "hanoi.demo": (Role.PROVINCE, "01", "Nguyễn", "Thu Hà"),
    "nghean.demo": (Role.PROVINCE, "40", "Lê", "Văn Nghĩa"),
}


def apportion(total, weights):
    """Split `total` in proportion to `weights` by the largest-remainder method."""
    weight_sum = sum(weights.values())
    shares = {key: total * weight / weight_sum for key, weight in weights.items()}
    result = {key: int(share) for key, share in shares.items()}
    leftover = total - sum(result.values())
    for key in sorted(shares, key=lambda k: (-(shares[k] - result[k]), k))[:leftover]:
        result[key] += 1
    return result


def demo_quotas(provinces):
    """{province code: quota} for 2023, summing to QUOTA_TOTAL (see the module docstring)."""
    quotas = {p.code: 1 for p in provinces}
    urban_districts = dict(
        Province.objects.filter(period=Period.LEGACY, code__in=CENTRAL_CITIES)
        .annotate(n=Count("districts", filter=Q(districts__kind=DistrictKind.URBAN)))
        .values_list("code", "n")
    )
    for code, extra in apportion(QUOTA_TOTAL - len(quotas), urban_districts).items():
        quotas[code] += extra
    return quotas


def demo_password():
    """DEMO_PASSWORD if set; else one generated once and kept in var/ so reruns print the same."""
    if os.environ.get("DEMO_PASSWORD"):
        return os.environ["DEMO_PASSWORD"]
    path = Path(settings.VAR_DIR) / "demo-password.txt"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(9)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n", encoding="utf-8")
    return password


@transaction.atomic
def load_demo_users(password):
    """Create the four demo accounts; returns how many accounts changed."""
    User = get_user_model()
    changed = 0
    for username, (role, province_code, family_name, given_name) in DEMO_USERS.items():
        user, created = User.objects.get_or_create(username=username)
        dirty = created
        if created or not user.check_password(password):
            user.set_password(password)
            dirty = True
        wanted = {"is_staff": role == Role.ADMIN, "is_superuser": role == Role.ADMIN, "is_active": True,
                  "email": f"{username}@{DEMO_MAIL_DOMAIN}", "last_name": family_name, "first_name": given_name}
        for name, value in wanted.items():
            if getattr(user, name) != value:
                setattr(user, name, value)
                dirty = True
        if dirty:
            user.save()
        province = (
            Province.objects.get(period=Period.CURRENT, code=province_code) if province_code else None
        )
        profile, profile_created = Profile.objects.get_or_create(
            user=user, defaults={"province": province, "role": role})
        if not profile_created and (profile.province_id, profile.role) != (province.pk if province else None, role):
            profile.province = province
            profile.role = role
            profile.save()
            dirty = True
        changed += dirty or profile_created
    return changed


@transaction.atomic
def load_demo_year():
    """Load programme year 2023. Returns False (and changes nothing) if it already exists."""
    if ProgrammeYear.objects.filter(year=YEAR).exists():
        return False
    if not Unit.objects.filter(period=Period.LEGACY).exists():
        raise RuntimeError("No legacy units: run `python manage.py load_units` first.")
    catalogue, _ = install_catalogue(read_catalogue(WORKING_CATALOGUE), CatalogueVersion, CriterionGroup, Criterion)
    year = ProgrammeYear.objects.create(
        year=YEAR, catalogue=catalogue, period=Period.LEGACY, eligible_kinds=[UnitKind.WARD.value]
    )
    rng = random.Random(SEED)
    provinces = list(Province.objects.filter(period=Period.LEGACY).order_by("code"))
    quotas = demo_quotas(provinces)
    Quota.objects.bulk_create(Quota(year=year, province=p, amount=quotas[p.code]) for p in provinces)

    wards = {p.code: [] for p in provinces}
    for unit in Unit.objects.filter(period=Period.LEGACY, kind=UnitKind.WARD).select_related("province").order_by("code"):
        wards[unit.province.code].append(unit)
    counts = dict(quotas)
    weights = {code: len(units) for code, units in wards.items()}
    for _extra in range(REGISTERED - sum(counts.values())):
        candidates = [code for code in weights if counts[code] < weights[code]]
        code = rng.choices(candidates, weights=[weights[c] for c in candidates])[0]
        counts[code] += 1

    created_at = timezone.make_aware(datetime.datetime(2023, 3, 15, 9, 0))
    registrations = []
    for province in provinces:
        for unit in sorted(rng.sample(wards[province.code], counts[province.code]), key=lambda u: u.code):
            registration = Registration(year=year, unit=unit)
            registration.full_clean(validate_unique=False)
            registrations.append(registration)
    registrations = bulk_create_with_history(
        registrations, Registration, default_date=created_at, default_change_reason=DEMO_REASON
    )
    Registration.objects.filter(year=year).update(created_at=created_at)

    criteria = list(catalogue.criteria.order_by("number"))
    by_number = {c.number: c for c in criteria}
    order = list(registrations)
    rng.shuffle(order)
    offsets = [offset for offset, n in EXPECTED_BANDS.items() for _ in range(n)]
    missing = {}
    for registration, offset in zip(order, offsets):
        missing[registration.pk] = set(
            rng.sample(list(SHORTFALLS), k=offset, counts=list(SHORTFALLS.values())) if offset else []
        )
        while len(missing[registration.pk]) < offset:  # sampled the same criterion twice
            missing[registration.pk].add(rng.choice(list(SHORTFALLS)))

    # The 5 pilot cities' first wards, then a random draw, were verified by the ministry.
    pilots = [next(r for r in registrations if r.unit.province.code == code) for code in CENTRAL_CITIES]
    others = [r for r in order if r not in pilots]
    verified = pilots + others[: VERIFIED_COUNT - len(pilots)]
    # On three of them the ministry's check found one more criterion not met.
    disagreements = {r.pk: rng.choice([n for n in SHORTFALLS if n not in missing[r.pk]]) for r in verified[5:8]}

    submitted_at = timezone.make_aware(datetime.datetime(2023, 11, 20, 10, 0))
    verified_at = timezone.make_aware(datetime.datetime(2023, 12, 5, 15, 0))
    verified_ids = {r.pk for r in verified}
    bulk_create_with_history(
        [
            Assessment(
                registration=r,
                year=year,
                unit=r.unit,
                province=r.unit.province,
                status=Status.VERIFIED if r.pk in verified_ids else Status.SUBMITTED,
                submitted_at=submitted_at,
                verified_at=verified_at if r.pk in verified_ids else None,
            )
            for r in registrations
        ],
        Assessment,
        default_date=submitted_at,
        default_change_reason=DEMO_REASON,
    )
    assessments = dict(Assessment.objects.filter(year=year).values_list("registration", "pk"))
    results = []
    for r in registrations:
        for number, criterion in by_number.items():
            met = number not in missing[r.pk]
            result = Result(
                assessment_id=assessments[r.pk],
                criterion=criterion,
                self_value=ResultValue.MET if met else ResultValue.NOT_MET,
                self_note="" if met else SHORTFALL_NOTES[number],
            )
            if r.pk in verified_ids:
                verified_met = met and disagreements.get(r.pk) != number
                result.verified_value = ResultValue.MET if verified_met else ResultValue.NOT_MET
                if not verified_met:
                    result.verified_note = DISAGREEMENT_NOTE if met else SHORTFALL_NOTES[number]
                elif number == 1:
                    result.verified_note = VERIFIED_NOTE
            results.append(result)
    bulk_create_with_history(
        results, Result, batch_size=1000, default_date=submitted_at, default_change_reason=DEMO_REASON
    )
    Assessment.objects.filter(year=year).rescore()
    Assessment.objects.filter(year=year).freeze_submitted()
    return True


# --- the year's outcomes: the commendations of 11/12/2023 and a recognition decision ----

CONFERENCE_DAY = datetime.date(2023, 12, 11)
COMMENDATION_NUMBER = "9368/QĐ-BCA"
COMMENDATION_REASON = (
    "Đã có thành tích xuất sắc trong công tác xây dựng thí điểm Công an phường điển hình kiểu mẫu "
    "về an ninh, trật tự và văn minh đô thị trên địa bàn toàn quốc năm 2023."
)
COLLECTIVES = 30
INDIVIDUALS = 29
# Of the 30 collectives: ward police units, then provincial police departments by name.
WARD_COLLECTIVES = 20
DEPARTMENT = "Phòng Cảnh sát quản lý hành chính về trật tự xã hội"
RECOGNITION_NUMBER = "2150/QĐ-BCA"
RECOGNITION_DAY = datetime.date(2024, 4, 19)
SIGNER = ("Trần Quốc Mẫu (dữ liệu mẫu)", "Thứ trưởng, thay mặt Bộ trưởng")
# Invented names (demo data): no real person is meant.
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
            "Dương", "Lý"]
MIDDLE_NAMES = ["Văn", "Thị", "Đức", "Minh", "Quốc", "Thanh", "Hữu", "Ngọc", "Xuân", "Thu"]
GIVEN_NAMES = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Khánh", "Lan", "Linh",
               "Long", "Mai", "Nam", "Nga", "Phong", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Việt",
               "Yến"]
RANKS = ["Thượng tá", "Trung tá", "Thiếu tá", "Đại úy", "Thượng úy"]
POSITIONS = ["Trưởng Công an phường", "Phó Trưởng Công an phường", "Cán bộ Công an phường",
             "Cảnh sát khu vực", "Đội trưởng, " + DEPARTMENT]


@transaction.atomic
def load_demo_outcomes():
    """The 2023 commendations (30 collectives, 29 individuals) and a 2024 decision recognising the
    2023 wards verified at 22/22. Returns False (and changes nothing) if 2023 has them already."""
    from .models import Commendation, CommendationLevel, CommendationRecipient, RecipientKind
    from .outcomes import DecisionFields, recognise, record_commendation
    from .access import Scope

    year = ProgrammeYear.objects.select_related("catalogue").get(year=YEAR)
    if Commendation.objects.filter(year=year).exists() or year.recognition_decisions.exists():
        return False
    rng = random.Random(SEED + 1)
    scope = Scope(user=None, role=Role.ADMIN)
    size = year.catalogue.criteria.count()
    full = list(
        Assessment.objects.filter(year=year, status=Status.VERIFIED, verified_met__gte=size)
        .select_related("unit__province").order_by("unit__code")
    )
    fields = DecisionFields(number=RECOGNITION_NUMBER, signed_on=RECOGNITION_DAY,
                            signer_name=SIGNER[0], signer_title=SIGNER[1])
    decision = recognise(year, fields, [a.unit.code for a in full], scope=scope)
    decision.is_demo = True
    decision.save(update_fields=["is_demo"])

    # Collectives: ward police units of wards that did well, the demo's two provinces
    # first (so that each has recipients), then provincial departments.
    candidates = list(
        Assessment.objects.filter(year=year, submitted_self_met__gte=size)
        .select_related("unit__province").order_by("unit__code")
    )
    first = [next(a for a in candidates if a.unit.province.code == code) for code in ("01", "40")]
    wards = first + sorted(rng.sample([a for a in candidates if a not in first], WARD_COLLECTIVES - len(first)),
                           key=lambda a: a.unit.code)
    provinces = list(Province.objects.filter(period=Period.LEGACY).order_by("code"))
    departments = [p for p in provinces if p.code in CENTRAL_CITIES or p.code == "40"]
    departments += sorted(rng.sample([p for p in provinces if p not in departments],
                                     COLLECTIVES - WARD_COLLECTIVES - len(departments)), key=lambda p: p.code)
    recipients = [
        CommendationRecipient(kind=RecipientKind.COLLECTIVE, province=a.unit.province, unit=a.unit,
                              name=f"Công an {a.unit.name}")
        for a in wards
    ] + [
        CommendationRecipient(kind=RecipientKind.COLLECTIVE, province=p, name=f"{DEPARTMENT}, Công an {p.name}")
        for p in departments
    ]
    names = set()
    for index in range(INDIVIDUALS):
        ward = wards[index % len(wards)]
        while True:
            name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
            if name not in names:
                names.add(name)
                break
        recipients.append(CommendationRecipient(
            kind=RecipientKind.INDIVIDUAL, province=ward.unit.province, name=name, rank=rng.choice(RANKS),
            position=POSITIONS[index % len(POSITIONS)],
            work_unit=f"Công an {ward.unit.name}, Công an {ward.unit.province.name}",
        ))
    record_commendation(
        year,
        {"level": CommendationLevel.BANG_KHEN, "issuer": "Bộ Công an", "number": COMMENDATION_NUMBER,
         "signed_on": CONFERENCE_DAY, "reason": COMMENDATION_REASON},
        recipients, scope=scope, is_demo=True,
    )
    return True
