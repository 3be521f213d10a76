"""The first version of the operating policy's free-text sections, in the project's own words.

It restates the rules of the agency's SNS operating policy of 22 July 2020
(§1, §3, the notes of §5, §6 and the consequence in §7); the sections that are
rules of the console (§2, §4's hours, §5.1–5.2, the footers, §7's list) are
generated on the page. Administrators add later versions in the admin.
"""

import datetime

from django.db import migrations

FIRST = {
    "effective_from": datetime.date(2020, 7, 22),
    "preamble_ja": (
        "出入国在留管理庁は、広報活動の一層の充実を図るため、出入国在留管理庁及び地方出入国在留管理官署の"
        "公式X（旧Twitter）アカウント及びFacebookページ（以下「本アカウント」といいます。）を開設し、情報を発信しています。\n"
        "本アカウントによる情報発信は、この運用方針に従って行います。"
    ),
    "preamble_en": (
        "To inform the public better, the Immigration Services Agency of Japan runs official X (formerly Twitter) "
        "accounts and Facebook pages for itself and its regional offices (\"the accounts\").\n"
        "Everything the accounts publish follows this operating policy."
    ),
    "preamble_zh": (
        "为了进一步开展宣传活动，出入国在留管理厅开设了出入国在留管理厅及地方出入国在留管理官署的官方X（原Twitter）账号"
        "和Facebook主页（以下称为“本账号”），并发布相关信息。\n"
        "通过本账号发布信息时，将遵守本运营方针。"
    ),
    "purpose_ja": (
        "出入国在留管理庁の業務や施策などに関する情報を発信し、当庁の活動への理解を深めていただくとともに、"
        "利用者の皆様の利便性を高めることを目的とします。"
    ),
    "purpose_en": (
        "The accounts publish information on the agency's work and measures, so that people understand what the "
        "agency does and find its services easier to use."
    ),
    "purpose_zh": "通过发布出入国在留管理厅的业务、措施等信息，加深用户对本厅活动的理解，同时提高用户的便利性。",
    "posters_ja": "出入国在留管理庁及び地方出入国在留管理官署の職員が投稿します。",
    "posters_en": "Staff of the Immigration Services Agency and of its regional offices.",
    "posters_zh": "由出入国在留管理厅及地方出入国在留管理官署的工作人员投稿。",
    "hours_note_ja": (
        "投稿は、原則として、各運営主体の窓口の受付時間内に職員が随時行います。"
        "ただし、災害やシステム障害のお知らせなど、必要に応じて受付時間外に投稿することがあります。"
    ),
    "hours_note_en": (
        "Staff post from time to time, in principle within the counter hours of the office that runs the account. "
        "When necessary — a disaster or a system outage, for example — a post may go out outside those hours."
    ),
    "hours_note_zh": (
        "原则上在各运营主体窗口的办公时间内，由工作人员不定期投稿。但是，如发布灾害或系统故障通知等，"
        "根据需要也有可能在窗口的非办公时间内投稿。"
    ),
    "notes_ja": "\n".join([
        "本アカウントの運営に支障が生じた場合などには、予告なく、運営の中止、投稿内容の変更・削除又はアカウントの削除を行うことがあります。",
        "本アカウントの投稿内容の無断での複製・転載はご遠慮ください。私的使用のための複製や引用など著作権法で認められた範囲で、"
        "各プラットフォームの公式の共有機能を使い、内容を改変せず、出典を明示してください。",
        "コメント等の著作権は投稿した利用者に帰属しますが、投稿した時点で、当庁が世界中で無償かつ非独占的に利用できること、"
        "及び当庁に対して著作者人格権等を行使しないことに同意したものとします。",
        "本運用方針は、予告なく変更することがあります。変更したときは、このページに適用日を示し、以前の版も掲載します。",
    ]),
    "notes_en": "\n".join([
        "If something prevents the accounts from being run properly, the agency may without notice stop running "
        "them, change or delete posts, or delete an account.",
        "Please do not copy or republish the accounts' posts without permission. Copying for private use or "
        "quotation within the limits of the Copyright Act is welcome, through the platform's own sharing "
        "function, without changing the content and naming the source.",
        "Copyright in comments stays with the user who wrote them; by posting, the user agrees that the agency may "
        "use them worldwide, free of charge and non-exclusively, and that no moral rights will be asserted "
        "against the agency.",
        "This policy may change without notice. A change is shown on this page with the date it applies from, "
        "and earlier versions stay available.",
    ]),
    "notes_zh": "\n".join([
        "如果由于某种原因本账号的运营出现不当情形，有可能在没有预告的情况下中止运营、变更或删除投稿内容，甚至删除本账号。",
        "请勿擅自复制、转载本账号的投稿内容。在著作权法允许的范围内（如用于个人使用的复制或引用），"
        "请使用平台官方的分享功能，不得改编内容，并注明出处。",
        "评论等的著作权归属于发布的用户，但用户发布时即表示同意本厅在全世界无偿且非独占地使用该内容，"
        "并同意不对本厅行使著作人格权等权利。",
        "本运营方针有可能在没有预告的情况下发生变更。变更时将在本页标明适用日期，并保留以前的版本。",
    ]),
    "disclaimer_ja": "\n".join([
        "本アカウントの投稿内容には細心の注意を払っていますが、その正確性、完全性及び有用性を保証するものではありません。",
        "利用者による本アカウントへの返信、コメント及び再投稿について、当庁は一切の責任を負いません。",
        "本アカウントを利用したこと、又は利用できなかったことにより生じた損害について、当庁は一切の責任を負いません。",
        "本アカウントを通じて生じた利用者間又は利用者と第三者との間の紛争、及びそれにより生じた損害について、当庁は一切の責任を負いません。",
    ]),
    "disclaimer_en": "\n".join([
        "The accounts post with great care, but the agency does not guarantee that what they post is accurate, "
        "complete or useful.",
        "The agency is not responsible for users' replies, comments or reposts of the accounts' posts.",
        "The agency is not responsible for any loss from using the accounts, or from being unable to use them.",
        "The agency is not responsible for disputes between users, or between a user and anyone else, arising "
        "through the accounts, nor for any loss they cause.",
    ]),
    "disclaimer_zh": "\n".join([
        "本账号的投稿会谨慎细心，但不保证信息的正确性、完整性、有用性。",
        "对于用户对本账号的回复、评论及转发，本厅不承担任何责任。",
        "对于用户因使用本账号或因未能使用本账号而产生的损失，本厅不承担任何责任。",
        "对于因本账号产生的用户之间或用户与第三者之间的纠纷及因此产生的损失，本厅不承担任何责任。",
    ]),
    "prohibited_note_ja": "運営主体が、利用者の行為がこれらのいずれかに当たると判断したときは、返信やコメントの非表示、削除、ブロック等の措置をとることがあります。",
    "prohibited_note_en": (
        "When the office running an account judges that a user's act is one of these, it may hide or delete the "
        "reply or comment, or block the user."
    ),
    "prohibited_note_zh": "当本账号运营主体认为用户的行为符合以下任意一项时，可能会采取隐藏或删除回复、评论以及屏蔽等措施。",
}


def seed(apps, schema_editor):
    PolicyVersion = apps.get_model("public", "PolicyVersion")
    if not PolicyVersion.objects.exists():
        PolicyVersion.objects.create(number=1, **FIRST)


class Migration(migrations.Migration):
    dependencies = [("public", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
