from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from accounts import access
from accounts.models import SandboxDelivery
from immisns.redirects import next_or


@require_safe
def admin_login(request):
    """The admin's own password form would skip the second factor: use ours."""
    return redirect_to_login(next_or(request, "/admin/"))


# The public list of official accounts (DESIGN §6): how citizens tell the
# agency's accounts from impostors. Japanese, English and Chinese, no login.
PUBLIC_TEXTS = {
    "ja": {
        "title": "出入国在留管理庁 公式SNSアカウント一覧",
        "lead": "出入国在留管理庁及び地方出入国在留管理官署の公式アカウントは次のとおりです。"
                "これ以外のアカウントは当庁のものではありません。",
        "office": "運営主体", "account": "アカウント", "x": "X（旧Twitter）", "facebook": "Facebook",
        "policy": "返信・コメント等による個別のご意見・お問い合わせには回答しておりません（運用方針 5）。",
    },
    "en": {
        "title": "Official social media accounts of the Immigration Services Agency of Japan",
        "lead": "These are the official accounts of the Immigration Services Agency and its regional offices. "
                "No other account belongs to the agency.",
        "office": "Operated by", "account": "Account", "x": "X (formerly Twitter)", "facebook": "Facebook",
        "policy": "Replies and comments are not answered individually (operating policy, section 5).",
    },
    "zh": {
        "title": "出入国在留管理厅官方SNS账号一览",
        "lead": "以下是出入国在留管理厅及地方出入国在留管理官署的官方账号。除此以外的账号均不属于本厅。",
        "office": "运营主体", "account": "账号名", "x": "X（原Twitter）", "facebook": "Facebook",
        "policy": "通过回复、转发的方式提出的意见和询问，恕不回应（运营方针 5）。",
    },
}


@require_safe
def official_accounts(request):
    from django.shortcuts import render

    from accounts.models import SocialAccount

    language = request.GET.get("lang", "ja")
    if language not in PUBLIC_TEXTS:
        language = "ja"
    name_field = {"ja": "name_ja", "en": "name_en", "zh": "name_zh"}[language]
    accounts = SocialAccount.objects.select_related("office").order_by("platform", "sort_order")
    rows = {
        platform: [(getattr(a.office, name_field), a) for a in accounts if a.platform == platform]
        for platform in (SocialAccount.Platform.X, SocialAccount.Platform.FACEBOOK)
    }
    return render(request, "accounts/official_accounts.html", {
        "texts": PUBLIC_TEXTS[language], "language": language, "rows": rows,
        "languages": [("ja", "日本語"), ("en", "English"), ("zh", "中文")],
    })


@require_safe
@login_required
def sandbox_delivery(request, pk: int):
    """What the sandbox adapter "published", for those who may see the account."""
    delivery = get_object_or_404(SandboxDelivery.objects.select_related("account"), pk=pk)
    if not access.can_view_account(request.user, delivery.account):
        raise Http404
    return render(request, "accounts/sandbox.html", {"delivery": delivery})
