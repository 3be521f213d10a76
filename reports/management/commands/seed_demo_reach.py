"""Two months of posts and collected figures on the sandbox accounts, so the demo's report is filled.

Embedded demo only. The figures are what the sandbox adapter would have given
on each past day (accounts.platforms.sandbox), stored as the daily collection
would have stored them; from now on beat's collection adds today's.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import SandboxDelivery, SocialAccount
from accounts.platforms.sandbox import demo_followers, demo_post_figures
from posts.models import Post, PostTarget
from reports.models import AccountFigures, PostFigures

DAYS = 62
POSTS_PER_ACCOUNT = 8
TEXTS = [
    "【お知らせ】年末年始の窓口業務について",
    "在留期間更新許可申請のオンライン手続きのご案内",
    "窓口の混雑状況（午前は特に混み合います）",
    "在留カードの有効期間にご注意ください",
    "【重要】台風接近に伴う臨時閉庁のお知らせ",
    "外国人生活支援ポータルサイトのご紹介",
    "特定技能制度に関する説明会を開催します",
    "永住許可申請の必要書類が変わりました",
]


class Command(BaseCommand):
    help = "Posts and two months of reach figures on the sandbox accounts (embedded demo only; once)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("seed_demo_reach only runs on the embedded defaults, as seed_demo does.")
        if PostFigures.objects.exists():
            self.stdout.write("Reach figures are already there; nothing added.")
            return
        author = get_user_model().objects.filter(username="tokyo-poster").first()
        if author is None:
            raise CommandError("Run seed_demo first: the demo posts need their author.")
        now = timezone.now()
        today = now.date()
        with transaction.atomic():
            for account in SocialAccount.objects.filter(publisher=SocialAccount.Publisher.SANDBOX).order_by("pk"):
                for day in range(DAYS, -1, -1):
                    moment = today - dt.timedelta(days=day)
                    AccountFigures.objects.get_or_create(
                        account=account,
                        day=moment,
                        defaults={
                            "read_at": dt.datetime.combine(moment, dt.time(3, tzinfo=dt.UTC)),
                            "followers": demo_followers(account.pk, moment),
                        },
                    )
                for n in range(POSTS_PER_ACCOUNT):
                    self._post(account, author, n, now=now)
        self.stdout.write(f"Reach: {PostFigures.objects.count()} daily figures of {PostTarget.objects.count()} posts.")

    def _post(self, account, author, n: int, *, now: dt.datetime) -> None:
        age = dt.timedelta(days=3 + (DAYS - 5) * n / POSTS_PER_ACCOUNT, hours=account.pk % 7)
        at = now - age
        text = TEXTS[(n + account.pk) % len(TEXTS)]
        outside = n == 4 and account.pk % 3 == 0
        delivery = SandboxDelivery.objects.create(account=account, text=text, media=[])
        SandboxDelivery.objects.filter(pk=delivery.pk).update(created_at=at)
        post = Post.objects.create(
            author=author,
            body=text,
            scheduled_at=at,
            state=Post.State.APPROVED,
            outside_hours_reason="台風の接近に伴う緊急のお知らせ" if outside else "",
        )
        target = PostTarget.objects.create(
            post=post,
            account=account,
            state=PostTarget.State.PUBLISHED,
            external_id=f"sandbox-{delivery.pk}",
            external_url=reverse("sandbox_delivery", args=[delivery.pk]),
            published_text=text,
            published_at=at,
        )
        rows = []
        for day in range(min(age.days, 30) + 1):
            moment = at + dt.timedelta(days=day)
            rows.append(
                PostFigures(
                    target=target,
                    day=moment.date(),
                    read_at=moment,
                    metrics=["views", "liked", "reposts", "replies"],
                    **demo_post_figures(delivery.pk, day),
                )
            )
        PostFigures.objects.bulk_create(rows, ignore_conflicts=True)
