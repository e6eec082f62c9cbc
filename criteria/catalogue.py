"""Install a criteria catalogue from its data file (JSON).

Used by the data migration that ships the working catalogue and by the
`load_catalogue` command with which an administrator installs a new version.
"""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WORKING_CATALOGUE = Path(__file__).parent / "data" / "working_catalogue.json"

# Each assessment keeps the criteria it does not meet as bits of a 64-bit integer
# (criterion n is bit n - 1): see Assessment.self_not_met.
MAX_CRITERIA = 62


def read_catalogue(path):
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(_("Cannot read the catalogue file: %(error)s") % {"error": exc}) from exc
    validate_catalogue(data)
    return data


def validate_catalogue(data):
    """Refuse a catalogue that is not a complete, consecutively numbered list of criteria."""
    try:
        numbers = [c["number"] for g in data["groups"] for c in g["criteria"]]
        positions = [g["position"] for g in data["groups"]]
        texts = [data["code"], data["title"]] + [
            text for g in data["groups"] for text in (g["title"], g["title_en"])
        ] + [text for g in data["groups"] for c in g["criteria"] for text in (c["title"], c["title_en"])]
    except (KeyError, TypeError) as exc:
        raise ValidationError(_("The catalogue file lacks a required field: %(field)s") % {"field": exc}) from exc
    if not numbers:
        raise ValidationError(_("The catalogue has no criteria."))
    if len(numbers) > MAX_CRITERIA:
        raise ValidationError(_("A catalogue holds at most %(max)s criteria, not %(n)s.")
                              % {"max": MAX_CRITERIA, "n": len(numbers)})
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        raise ValidationError(_("Criteria must be numbered 1 to %(n)s without gaps or repeats.") % {"n": len(numbers)})
    if len(set(positions)) != len(positions):
        raise ValidationError(_("Two groups share a position."))
    if not all(isinstance(t, str) and t.strip() for t in texts):
        raise ValidationError(_("Every code, title and English gloss must be filled in."))


def install_catalogue(data, CatalogueVersion, CriterionGroup, Criterion):
    """Create the catalogue described by `data` unless its code exists; return it.

    The model classes are parameters so that a migration can pass its historical models.
    """
    validate_catalogue(data)
    catalogue, created = CatalogueVersion.objects.get_or_create(
        code=data["code"],
        defaults={
            "title": data["title"],
            "description": data.get("description", ""),
            "is_working": data.get("is_working", True),
        },
    )
    if not created:
        return catalogue, False
    for group_data in data["groups"]:
        group = CriterionGroup.objects.create(
            catalogue=catalogue,
            position=group_data["position"],
            title=group_data["title"],
            title_en=group_data["title_en"],
        )
        Criterion.objects.bulk_create(
            Criterion(
                catalogue=catalogue,
                group=group,
                number=c["number"],
                title=c["title"],
                title_en=c["title_en"],
                guidance=c.get("guidance", ""),
            )
            for c in group_data["criteria"]
        )
    return catalogue, True
