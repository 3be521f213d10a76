"""Demo replies on the sandbox accounts, for the embedded one-command demo only."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from replies.demo import seed_replies


class Command(BaseCommand):
    help = "Feed a realistic stream of public replies to the sandbox accounts (embedded default only)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("seed_demo_replies only runs on the embedded defaults (see seed_demo).")
        self.stdout.write(f"Demo replies: {seed_replies()} new.")
