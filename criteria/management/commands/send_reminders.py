import datetime

from django.core.management.base import BaseCommand, CommandError

from criteria import calendar
from criteria.notifications import reminders, retry_unsent


def day(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date: {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Remind whoever still has work to do of the deadlines of the open programme years, in the app "
        "and by e-mail: 7 days before, 1 day before and 1 day after each self-assessment deadline "
        "(the province's users, for wards in draft or returned) and verification deadline (the "
        "ministry's staff, for submitted wards); a province's extensions move its deadline. Run it "
        "daily (cron); a second run on the same day sends nothing. Also retries the e-mails of the "
        "last two days that failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who would be reminded of what; change nothing.")
        parser.add_argument("--date", type=day, help="Run as if today were this day (YYYY-MM-DD).")

    def handle(self, *args, dry_run, date, **options):
        today = date or calendar.today()
        told = reminders(today, dry_run=dry_run)
        for user, text in told:
            self.stdout.write(f"{user.username} <{user.email or '-'}>: {text}")
        if dry_run:
            self.stdout.write(f"{today.isoformat()}: {len(told)} reminder(s) would be sent (dry run: nothing changed).")
            return
        retried = retry_unsent()
        self.stdout.write(f"{today.isoformat()}: {len(told)} reminder(s) sent; {retried} earlier e-mail(s) sent again.")
