"""The nine prohibited acts of §7 of the operating policy.

One list for the two places that name them: the replies app sorts the public's
replies into these categories, and the public policy page (public/) prints
them, so the page can never promise a rule the console does not apply.

The choice labels are the staff interface's short names (translated with
gettext); `public_wording` is the policy's own sentence for each act in the
three languages the public pages speak, which is content, not interface text.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProhibitedAct(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("Personal data")
    DEFAMATION = "defamation", _("Defamation")
    IP_INFRINGEMENT = "ip_infringement", _("Infringement of intellectual property")
    ILLEGAL = "illegal", _("Unlawful or immoral content")
    IMPERSONATION = "impersonation", _("Impersonation")
    ADVERTISING = "advertising", _("Advertising")
    TAMPERING = "tampering", _("Tampering with posts")
    OFF_TOPIC = "off_topic", _("Off-topic")
    OTHER = "other", _("Other")

    def public_wording(self, language: str) -> str:
        """The §7 sentence for this act in ja, en or zh (Japanese for any other language)."""
        wording = PUBLIC_WORDING[self.value]
        return wording.get(language, wording["ja"])


# §7, item by item, in the order of the policy.
PUBLIC_WORDING = {
    "personal_data": {
        "ja": "個人情報や、特定の個人を推測できる情報を掲載する行為、又はそれに類する行為",
        "en": "Posting personal data, or information from which a person can be identified, or anything similar",
        "zh": "登载个人信息或可以推断出特定个人的信息，以及与此类似的行为",
    },
    "defamation": {
        "ja": "出入国在留管理庁、地方出入国在留管理官署又は第三者の名誉や信用を傷つける行為",
        "en": "Harming the reputation or credibility of the agency, its regional offices or anyone else",
        "zh": "损害出入国在留管理厅、地方出入国在留管理官署或第三者名誉、信用的行为",
    },
    "ip_infringement": {
        "ja": "出入国在留管理庁、地方出入国在留管理官署又は第三者の著作権、肖像権その他の知的財産権の全部又は一部を侵害する行為",
        "en": "Infringing, wholly or in part, the copyright, portrait rights or other intellectual property "
        "of the agency, its regional offices or anyone else",
        "zh": "全部或部分侵害出入国在留管理厅、地方出入国在留管理官署或第三者的著作权、肖像权或其他知识产权的行为",
    },
    "illegal": {
        "ja": "法令や公序良俗に反する行為、又はそのような情報・写真を掲載する行為",
        "en": "Breaking the law or public order and morals, or posting information or pictures that do",
        "zh": "违反法令、违背社会公共秩序和道德，或登载此类信息、照片的行为",
    },
    "impersonation": {
        "ja": "他の利用者や第三者になりすます行為",
        "en": "Pretending to be another user or anyone else",
        "zh": "冒充其他用户或第三者的行为",
    },
    "advertising": {
        "ja": "広告・宣伝を目的とする行為",
        "en": "Advertising or promoting anything",
        "zh": "以广告、宣传为目的的行为",
    },
    "tampering": {
        "ja": "本アカウントの投稿内容の全部又は一部を改ざんする行為",
        "en": "Altering all or part of what an official account has posted",
        "zh": "部分或全部篡改本账号投稿内容的行为",
    },
    "off_topic": {
        "ja": "本アカウントの投稿内容と関係のない内容を投稿する行為",
        "en": "Posting content unrelated to what the account has posted",
        "zh": "发布与本账号投稿内容无关的内容的行为",
    },
    "other": {
        "ja": "その他、運営主体が合理的な理由により不適切と判断する行為",
        "en": "Anything else the operating office, for good reason, judges inappropriate",
        "zh": "其他经本账号运营主体根据合理理由判断为不当的行为",
    },
}
