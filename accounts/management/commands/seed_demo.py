"""Demo people of every role, for the embedded one-command demo only."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo_pages import DEMO_FACEBOOK_PAGES
from accounts.models import Membership, Office, SocialAccount

# (username, office code or None, role or None, staff, full name)
DEMO_PEOPLE = [
    ("admin", None, None, True, "管理者 デモ"),
    ("agency-supervisor", "agency", Membership.Role.SUPERVISOR, False, "本庁 承認者"),
    ("tokyo-supervisor", "tokyo", Membership.Role.SUPERVISOR, False, "東京 承認者"),
    ("tokyo-poster", "tokyo", Membership.Role.POSTER, False, "東京 投稿担当"),
    ("narita-poster", "narita", Membership.Role.POSTER, False, "成田 投稿担当"),
    ("osaka-supervisor", "osaka", Membership.Role.SUPERVISOR, False, "大阪 承認者"),
    ("osaka-poster", "osaka", Membership.Role.POSTER, False, "大阪 投稿担当"),
    ("auditor", "agency", Membership.Role.VIEWER, False, "監査 閲覧"),
]


class Command(BaseCommand):
    help = "Create demo people of every role (embedded default only) and put every account on the sandbox."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo only runs on the embedded defaults (DEBUG on, SQLite); "
                "set IMMISNS_DEMO=true to force it on a throw-away database."
            )
        User = get_user_model()
        rows = []
        with transaction.atomic():
            for username, office_code, role, staff, full_name in DEMO_PEOPLE:
                password = f"{username}-demo-pass"
                last, first = full_name.split(" ", 1)
                user, _ = User.objects.update_or_create(
                    username=username,
                    defaults={
                        "email": f"{username}@demo.invalid",
                        "is_staff": staff,
                        "is_superuser": staff,
                        "last_name": last,
                        "first_name": first,
                        "is_active": True,
                    },
                )
                user.set_password(password)
                user.save()
                if office_code:
                    Membership.objects.update_or_create(
                        user=user,
                        office=Office.objects.get(code=office_code),
                        defaults={"role": role},
                    )
                rows.append((username, password, office_code or "-", role or "administrator"))
            sandboxed = SocialAccount.objects.exclude(publisher=SocialAccount.Publisher.SANDBOX).update(
                publisher=SocialAccount.Publisher.SANDBOX
            )
            # The Page ids the demo's fake Facebook serves, so Connect works on every seeded Page; an id
            # entered in the admin stays.
            for handle, page_id, _name in DEMO_FACEBOOK_PAGES:
                SocialAccount.objects.filter(
                    platform=SocialAccount.Platform.FACEBOOK, handle=handle, platform_id=""
                ).update(platform_id=page_id)
        self.stdout.write("Demo people (supervisors and the administrator set up TOTP at first approval/admin visit):")
        self.stdout.write(f"  {'username':<20} {'password':<30} {'office':<10} role")
        for username, password, office, role_name in rows:
            self.stdout.write(f"  {username:<20} {password:<30} {office:<10} {role_name}")
        total = SocialAccount.objects.count()
        self.stdout.write(f"All {total} accounts publish to the sandbox ({sandboxed} switched now).")
