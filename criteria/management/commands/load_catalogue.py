from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from criteria.catalogue import install_catalogue, read_catalogue
from criteria.models import CatalogueVersion, Criterion, CriterionGroup


class Command(BaseCommand):
    help = (
        "Install a criteria catalogue from a JSON file (the shape of criteria/data/working_catalogue.json). "
        "A new code makes a new version; programme years then choose it in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            data = read_catalogue(file)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        with transaction.atomic():
            catalogue, created = install_catalogue(data, CatalogueVersion, CriterionGroup, Criterion)
        if not created:
            self.stdout.write(f"Catalogue {catalogue.code!r} already exists: nothing changed.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Installed catalogue {catalogue.code!r}: {catalogue.criteria.count()} criteria in "
            f"{catalogue.groups.count()} groups."
        ))
