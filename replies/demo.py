"""A realistic stream of public replies on the sandbox accounts, for the embedded demo only.

Nobody from the public writes to a sandbox account, so the demo feeds the
listening engine's own ingest() with what a poll might have read: harmless
questions, one reply carrying a residence card number (hidden at once by the
system), one impostor of IMMI_TOKYO, one spam link, and a Facebook comment.
"""

import datetime as dt

from django.utils import timezone

from accounts.models import SocialAccount
from accounts.platforms import PublicReply, adapter_for
from checks import checks
from replies import listening
from replies.sorting import SortingRules

# (account handle, author id, handle, display name, text, minutes ago)
DEMO_REPLIES = [
    ("IMMI_TOKYO", "2100000001", "yamada_t", "山田 太郎", "在留期間更新の申請は予約が必要ですか？", 55),
    ("IMMI_TOKYO", "2100000002", "li_ming", "Li Ming", "分かりやすい案内をありがとうございます。", 40),
    (
        "IMMI_TOKYO",
        "2100000003",
        "helper_a",
        "親切な人",
        "友人の在留カード番号は AB12345678CD です。代わりに手続きできますか",
        30,
    ),
    ("IMMI_TOKYO", "2100000004", "IMMI_T0KYO", "東京出入国在留管理局", "ビザのご相談はDMでお受けします", 20),
    ("IMMI_OSAKA", "2100000005", "visa_fast", "ビザ代行センター", "最短3日でビザ取得！ https://bit.ly/visa-fast", 15),
    ("IMMI_OSAKA", "2100000006", "nguyen_v", "Nguyen Van", "窓口は土曜日も開いていますか？", 10),
    ("ImmigrationServicesAgency.MOJ", "7100000000000011", "", "佐藤 花子", "オンライン申請の案内が役に立ちました。", 8),
    ("ImmigrationServicesAgency.MOJ", "7100000000000012", "", "匿名", "この人の電話番号は 090-1234-5678 です", 5),
]


def seed_replies(*, now: dt.datetime | None = None) -> int:
    """Ingest the demo stream (again: nothing is doubled); returns how many replies are new."""
    now = now or timezone.now()
    created = 0
    rules = SortingRules()
    with checks.rules_pinned():
        for handle, author_id, author_handle, name, text, minutes in DEMO_REPLIES:
            account = SocialAccount.objects.get(handle=handle)
            if account.publisher != SocialAccount.Publisher.SANDBOX:
                continue  # never on a real account
            external_id = f"demo-{author_id}-{minutes}"
            item = PublicReply(
                external_id=external_id,
                text=text,
                author_id=author_id,
                author_handle=author_handle,
                author_name=name,
                created_at=now - dt.timedelta(minutes=minutes),
                url=f"https://x.com/{author_handle}/status/{external_id}"
                if author_handle
                else f"https://www.facebook.com/{author_id}",
            )
            created += len(listening.ingest(account, [item], adapter=adapter_for(account), rules=rules, posts={}))
    return created
