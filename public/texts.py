"""The public pages' own words in Japanese, English and Chinese.

These are content the agency publishes, written per language here rather than
through the gettext catalogue (which carries the staff interface's strings).
The policy's free-text sections live in PolicyVersion rows; the words below
frame the generated sections.
"""

LANGUAGES = ("ja", "en", "zh")
LANGUAGE_NAMES = {"ja": "日本語", "en": "English", "zh": "中文"}

# Each value is one string, a phrase or a str.format() template (section titles and weekdays are below).
TEXTS: dict[str, dict[str, str]] = {
    "ja": {
        "agency": "出入国在留管理庁",
        "skip": "本文へ移動",
        "nav": "公開ページ",
        "language": "言語",
        "policy": "運用方針",
        "accounts": "公式アカウント一覧",
        "json": "公式アカウント一覧（JSON）",
        "policy_title": "出入国在留管理庁・地方出入国在留管理官署 公式SNS運用方針",
        "accounts_title": "出入国在留管理庁 公式SNSアカウント一覧",
        "accounts_lead": "出入国在留管理庁及び地方出入国在留管理官署の公式アカウントは次のとおりです。"
        "これ以外のアカウントは当庁のものではありません。",
        "accounts_policy": "返信・コメント等による個別のご意見・お問い合わせには回答しておりません。詳しくは運用方針をご覧ください。",
        "last_changed": "一覧の最終更新日",
        "machine_readable": "他のウェブサイトで照合・掲載するための機械可読版",
        "office": "運営主体",
        "account": "アカウント",
        "platform": "プラットフォーム",
        "x": "X（旧Twitter）",
        "facebook": "Facebook",
        "version_in_force": "現在の版：第{number}版（{date}から適用）。本運用方針は予告なく変更することがあります。",
        "generated": "アカウント、投稿時間、返信等の取扱い、投稿に付す注記及び禁止事項は、投稿システムが実際に適用している設定から作成しています。",
        "days": "曜日",
        "hours": "時間",
        "closed_days": "行政機関の休日（土曜日、日曜日、国民の祝日・休日及び12月29日から1月3日まで）は窓口が閉まっているため、原則として投稿しません。",
        "closure_days": "このほか、次の日は窓口を閉じます。",
        "all_offices": "全官署",
        "no_hours": "窓口時間の定めなし",
        "no_replies": "本アカウントへの返信、コメント、ダイレクトメッセージ等によるご意見・お問い合わせには回答いたしません。あらかじめご了承ください。",
        "no_follows": "本アカウントは、他のアカウントのフォロー、リポスト（再投稿）及び「いいね」を行いません。",
        "footers": "各投稿の末尾には、次の注記を付しています。",
        "footer_for_account": "{handle} の投稿",
        "prohibited": "本アカウントでは、次の行為を禁止します。",
        "effective": "本運用方針は、{date}から適用します。",
        "history": "過去の版",
        "version_item": "第{number}版（{date}から適用）",
        "earlier_version": "これは過去の版（第{number}版、{date}から適用）です。",
        "current_link": "現在の運用方針を見る",
        "day_range": "{first}〜{last}",
        "list_sep": "、",
    },
    "en": {
        "agency": "Immigration Services Agency of Japan",
        "skip": "Skip to main content",
        "nav": "Public pages",
        "language": "Language",
        "policy": "Operating policy",
        "accounts": "Official accounts",
        "json": "Official accounts (JSON)",
        "policy_title": "Operating policy for the official social media accounts of the Immigration Services Agency "
        "and its regional offices",
        "accounts_title": "Official social media accounts of the Immigration Services Agency of Japan",
        "accounts_lead": "These are the official accounts of the Immigration Services Agency and its regional offices. "
        "No other account belongs to the agency.",
        "accounts_policy": "Replies and comments are not answered individually; the operating policy explains why.",
        "last_changed": "List last changed",
        "machine_readable": "A machine-readable copy for other websites to embed or check against",
        "office": "Operated by",
        "account": "Account",
        "platform": "Platform",
        "x": "X (formerly Twitter)",
        "facebook": "Facebook",
        "version_in_force": "Version {number}, in force since {date}. This policy may change without notice.",
        "generated": "The accounts, posting hours, handling of replies, the note added to every post and the prohibited "
        "acts on this page are generated from the settings the posting system actually applies.",
        "days": "Days",
        "hours": "Hours",
        "closed_days": "On the administrative holidays — Saturdays, Sundays, national holidays and 29 December to "
        "3 January — counters are closed and, in principle, nothing is posted.",
        "closure_days": "Counters are also closed on these days:",
        "all_offices": "All offices",
        "no_hours": "No counter hours set",
        "no_replies": "Opinions and questions sent as replies, comments or direct messages to the accounts are not "
        "answered. Thank you for your understanding.",
        "no_follows": "The accounts do not follow, repost or like other accounts.",
        "footers": "Every post ends with this note:",
        "footer_for_account": "Posts by {handle}",
        "prohibited": "The following are prohibited on the accounts:",
        "effective": "This policy applies from {date}.",
        "history": "Earlier versions",
        "version_item": "Version {number} (from {date})",
        "earlier_version": "This is an earlier version (version {number}, from {date}).",
        "current_link": "See the policy in force",
        "day_range": "{first} to {last}",
        "list_sep": ", ",
    },
    "zh": {
        "agency": "出入国在留管理厅",
        "skip": "跳到正文",
        "nav": "公开页面",
        "language": "语言",
        "policy": "运营方针",
        "accounts": "官方账号一览",
        "json": "官方账号一览（JSON）",
        "policy_title": "出入国在留管理厅/地方出入国在留管理局官方SNS运营方针",
        "accounts_title": "出入国在留管理厅官方SNS账号一览",
        "accounts_lead": "以下是出入国在留管理厅及地方出入国在留管理官署的官方账号。除此以外的账号均不属于本厅。",
        "accounts_policy": "通过回复、评论等方式提出的意见和询问，恕不回应。详情请见运营方针。",
        "last_changed": "一览最后更新日期",
        "machine_readable": "供其他网站嵌入或核对的机器可读版本",
        "office": "运营主体",
        "account": "账号名",
        "platform": "平台",
        "x": "X（原Twitter）",
        "facebook": "Facebook",
        "version_in_force": "现行版本：第{number}版（自{date}起适用）。本运营方针有可能在没有预告的情况下发生变更。",
        "generated": "本页中的账号、投稿时间、对回复等的处理、投稿所附说明及禁止事项，均根据投稿系统实际执行的设置生成。",
        "days": "星期",
        "hours": "时间",
        "closed_days": "行政机关休息日（星期六、星期日、国民节假日及12月29日至1月3日）窗口不办公，原则上不投稿。",
        "closure_days": "此外，以下日期窗口不办公：",
        "all_offices": "所有官署",
        "no_hours": "未设定窗口时间",
        "no_replies": "通过回复、评论、私信等方式对本账号提出的意见和询问，恕不回应。请予以谅解。",
        "no_follows": "本账号不关注、不转发其他账号，也不点赞。",
        "footers": "每条投稿末尾均附有以下说明：",
        "footer_for_account": "{handle} 的投稿",
        "prohibited": "本账号严禁以下行为。",
        "effective": "本运营方针自{date}起适用。",
        "history": "历史版本",
        "version_item": "第{number}版（自{date}起适用）",
        "earlier_version": "这是历史版本（第{number}版，自{date}起适用）。",
        "current_link": "查看现行运营方针",
        "day_range": "{first}至{last}",
        "list_sep": "、",
    },
}

# The policy's section headings (the template reads them as t.sections, see public.pages._frame).
SECTION_TITLES: dict[str, dict[str, str]] = {
    "ja": {
        "1": "1 基本方針",
        "2": "2 アカウント情報",
        "3": "3 投稿者",
        "4": "4 投稿時間",
        "5": "5 留意事項",
        "6": "6 免責事項",
        "7": "7 禁止事項",
        "8": "8 適用",
    },
    "en": {
        "1": "1 Basic policy",
        "2": "2 Accounts",
        "3": "3 Who posts",
        "4": "4 Posting hours",
        "5": "5 Notes",
        "6": "6 Disclaimer",
        "7": "7 Prohibited acts",
        "8": "8 Effective date",
    },
    "zh": {
        "1": "1 基本方针",
        "2": "2 账号信息",
        "3": "3 投稿人",
        "4": "4 投稿时间",
        "5": "5 注意事项",
        "6": "6 免责事项",
        "7": "7 禁止事项",
        "8": "8 适用",
    },
}

# Monday first, as OfficeHours.weekday counts.
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "ja": ("月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "zh": ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"),
}

EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(day, language: str) -> str:
    """A date as each language writes it: 2020年7月22日, 22 July 2020."""
    if language == "en":
        return f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"
