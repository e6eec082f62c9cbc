from django.core.management.base import BaseCommand, CommandError

from criteria.demo import DEMO_USERS, YEAR, demo_password, load_demo_outcomes, load_demo_users, load_demo_year
from criteria.figures import year_summary
from criteria.access import get_year_or_404
from wards.models import Province


class Command(BaseCommand):
    help = "Load the demo programme year 2023 and one demo account per role (idempotent)."

    def handle(self, *args, **options):
        try:
            loaded = load_demo_year()
            outcomes = load_demo_outcomes()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        password = demo_password()
        accounts = load_demo_users(password)
        year = get_year_or_404(YEAR)
        summary = year_summary(year, Province.objects.filter(period=year.period))
        total = summary.total
        if loaded:
            self.stdout.write(self.style.SUCCESS(f"Loaded demo programme year {YEAR}."))
        else:
            self.stdout.write(f"Programme year {YEAR} already exists: its data was left unchanged.")
        self.stdout.write(
            f"{YEAR}: {total.registered} registered, quota {total.quota}, exceeded by {total.exceeded_by}; "
            "self-assessed " + ", ".join(f"{n} at {band}" for band, n in total.expected.items())
            + f"; {total.verified_total} verified."
        )
        if outcomes:
            self.stdout.write(f"{YEAR}: {total.collectives} collectives and {total.individuals} individuals "
                              f"commended; {total.recognised_wards} wards recognised by decision.")
        self.stdout.write(f"Demo accounts: {accounts} created or updated." if accounts else "Demo accounts unchanged.")
        for username, (role, province, family_name, given_name) in DEMO_USERS.items():
            where = f" ({province})" if province else ""
            self.stdout.write(f"  {username:<12} {role.label}{where}, {family_name} {given_name}")
        self.stdout.write(f"  password: {password}")
