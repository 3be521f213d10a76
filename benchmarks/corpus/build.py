"""Writes the labelled corpus the content checks are measured on (benchmarks/checks.py).

    python benchmarks/corpus/build.py      # rewrites the three files beside this one

- ``clean.jsonl``: announcements in the style of an immigration office's posts
  (closures, counter congestion, procedure changes, events, disaster notices,
  statistics, recruiting, warnings about fraud; Japanese, English, Chinese,
  Vietnamese, Portuguese and more). They hold official numbers, dates and
  times in every usual form, postal codes, corporate numbers, statute and
  notice numbers, counts, amounts, reference numbers and official URLs, and
  no personal data: the checks must block none of them. Each official
  contact detail in a text is labelled with its span.
- ``personal_data.jsonl``: texts (mostly what the public writes back, §7, and
  drafts with something pasted in by mistake) each holding exactly one piece
  of personal data, each in a form of its own (kind, shape, separator,
  width): the checks must find every one, at the labelled span.
- ``official_contacts.json``: the official numbers the corpus uses beyond the
  seeded ones, as an administrator would add them in the admin.

Every value is invented here; no real person's data. The bureaus' numbers
below are invented as well (only the information centre's 0570-013904 and
03-5796-7112, seeded by moderation/migrations, are the agency's real ones).
Labels come from where this script puts each value, not from the checks.
The output is deterministic (fixed seed), so a rebuild changes nothing
unless this script changes.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import string
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from checks.personal_data import my_number_check_digit  # noqa: E402 - after the path is set

SEED = 20261202
WEEKDAYS_JA = "月火水木金土日"
WEEKDAYS_ZH = ["一", "二", "三", "四", "五", "六", "日"]
MONTHS_EN = [
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
]


def full_width(text: str) -> str:
    """ASCII as a Japanese IME types it in full-width mode; a space becomes the ideographic space."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --- official contacts ------------------------------------------------------------------------

# (office in Japanese, in English, in Chinese, switchboard digits grouped, invented?)
OFFICES = [
    (
        "札幌出入国在留管理局",
        "Sapporo Regional Immigration Services Bureau",
        "札幌出入国在留管理局",
        ("011", "200", "1001"),
    ),
    (
        "仙台出入国在留管理局",
        "Sendai Regional Immigration Services Bureau",
        "仙台出入国在留管理局",
        ("022", "200", "1002"),
    ),
    (
        "東京出入国在留管理局",
        "Tokyo Regional Immigration Services Bureau",
        "东京出入国在留管理局",
        ("03", "5000", "1003"),
    ),
    (
        "名古屋出入国在留管理局",
        "Nagoya Regional Immigration Services Bureau",
        "名古屋出入国在留管理局",
        ("052", "200", "1004"),
    ),
    (
        "大阪出入国在留管理局",
        "Osaka Regional Immigration Services Bureau",
        "大阪出入国在留管理局",
        ("06", "6000", "1005"),
    ),
    (
        "広島出入国在留管理局",
        "Hiroshima Regional Immigration Services Bureau",
        "广岛出入国在留管理局",
        ("082", "200", "1006"),
    ),
    (
        "高松出入国在留管理局",
        "Takamatsu Regional Immigration Services Bureau",
        "高松出入国在留管理局",
        ("087", "800", "1007"),
    ),
    (
        "福岡出入国在留管理局",
        "Fukuoka Regional Immigration Services Bureau",
        "福冈出入国在留管理局",
        ("092", "600", "1008"),
    ),
    (
        "福岡出入国在留管理局那覇支局",
        "Naha Branch, Fukuoka Regional Immigration Services Bureau",
        "福冈出入国在留管理局那霸支局",
        ("098", "800", "1009"),
    ),
    (
        "東京出入国在留管理局成田空港支局",
        "Narita Airport District Immigration Office",
        "东京出入国在留管理局成田机场支局",
        ("0476", "30", "1010"),
    ),
    (
        "東京出入国在留管理局横浜支局",
        "Yokohama District Immigration Office",
        "东京出入国在留管理局横滨支局",
        ("045", "700", "1012"),
    ),
    (
        "大阪出入国在留管理局神戸支局",
        "Kobe District Immigration Office",
        "大阪出入国在留管理局神户支局",
        ("078", "300", "1014"),
    ),
    (
        "名古屋出入国在留管理局中部空港支局",
        "Chubu Airport District Immigration Office",
        "名古屋出入国在留管理局中部机场支局",
        ("0569", "30", "1015"),
    ),
]
INFO_CENTRE = ("0570", "013", "904")  # seeded, real
INFO_CENTRE_ABROAD = ("03", "5796", "7112")  # seeded, real
FRESC = ("0570", "011", "000")  # 外国人在留支援センター: invented
OFFICIAL_EMAILS = ["isa-event@moj.go.jp", "fresc-info@moj.go.jp", "nyukan-saiyo@moj.go.jp", "zairyu-soudan@moj.go.jp"]


def official_contacts_added() -> list[dict]:
    """The rows an administrator adds for the corpus (the seeded ones are already there)."""
    rows = [
        {"kind": "phone", "value": "-".join(groups), "note": f"{ja} 代表（架空の番号 invented for the corpus）"}
        for ja, _en, _zh, groups in OFFICES
    ]
    rows.append(
        {
            "kind": "phone",
            "value": "-".join(FRESC),
            "note": "外国人在留支援センター（架空の番号 invented for the corpus）",
        }
    )
    return rows


def phone_forms(groups: tuple[str, ...]) -> list[str]:
    """The ways staff write an official number."""
    national = groups
    international = ("+81", national[0][1:], *national[1:])
    forms = [
        "-".join(national),
        "".join(national),
        " ".join(national),
        "‐".join(national),
        "－".join(national),
        full_width("-".join(national)),
        f"{national[0]}({national[1]}){national[2]}",
        f"（{national[0]}）{national[1]}-{national[2]}",
        "ー".join(full_width(g) for g in national),
    ]
    if not national[0].startswith(("0570", "0120")):
        forms += ["-".join(international), " ".join(international)]
    return forms


# --- clean announcements --------------------------------------------------------------------

URLS = [
    "https://www.moj.go.jp/isa/",
    "https://www.moj.go.jp/isa/applications/procedures/index.html",
    "https://www.moj.go.jp/isa/applications/online/onlineshinsei.html",
    "https://www.moj.go.jp/isa/applications/status/index.html",
    "https://www.moj.go.jp/isa/support/fresc/fresc01.html",
    "https://www.moj.go.jp/isa/consultation/center/index.html",
    "https://www.moj.go.jp/isa/policies/statistics/toukei_ichiran_touroku.html",
    "https://www.moj.go.jp/isa/about/recruitment/index.html",
    "https://www.moj.go.jp/isa/content/930004996.pdf",
    "https://www.isa.go.jp/en/",
    "https://www.isa.go.jp/en/applications/procedures/16-1.html",
    "https://www.isa.go.jp/zh-cn/",
    "https://www.isa.go.jp/vi/",
    "https://www.isa.go.jp/pt/",
    "https://laws.e-gov.go.jp/law/326CO0000000319",
    "https://www.digital.go.jp/policies/mynumber",
    "https://www.kantei.go.jp/jp/headline/bousai/",
    "https://www.jma.go.jp/bosai/warning/",
    "https://www.city.shinjuku.lg.jp/foreign/",
    "www.moj.go.jp/isa/",
    "moj.go.jp/isa/applications/online/",
    "https://www.moj.go.jp/isa/publications/press/13_00045.html",
    "https://www.moj.go.jp/isa/applications/procedures/nyuukokukanri07_00201.html",
    "https://www.moj.go.jp/isa/applications/procedures/zairyu_koushin.html?lang=ja#section2",
]
POSTAL = [
    "〒100-8977 東京都千代田区霞が関1-1-1",
    "〒108-8255 東京都港区港南5-5-30",
    "〒160-0004 東京都新宿区四谷1-6-1 四谷タワー13階",
    "〒060-0042 札幌市中央区大通西12丁目",
    "〒983-0842 仙台市宮城野区五輪1-3-20",
    "〒455-8601 名古屋市港区正保町5-18",
    "〒559-0034 大阪市住之江区南港北1-29-53",
    "〒730-0012 広島市中区上八丁堀2-31",
    "〒760-0033 高松市丸の内1-1",
    "〒810-0073 福岡市中央区舞鶴3-5-25",
    "〒900-0022 那覇市樋川1-15-15",
    "〒２３１－００２３ 横浜市中区山下町37-9",
]
STATUTES = [
    "出入国管理及び難民認定法（昭和26年政令第319号）",
    "入管法第19条の16",
    "入管法第22条の4第1項第5号",
    "令和5年法律第56号",
    "出入国管理及び難民認定法施行規則（昭和56年法務省令第54号）第19条第5項",
    "平成2年法務省告示第132号",
    "法務省告示第八十四号",
    "住民基本台帳法第30条の45",
    "令和6年法律第60号（育成就労法）",
    "出入国管理及び難民認定法第7条第1項第2号の基準を定める省令",
]
STATUTES_EN = [
    "Article 19-16 of the Immigration Control and Refugee Recognition Act",
    "Article 22-4, paragraph 1, item 5 of the Act",
    "Act No. 56 of 2023",
    "Ministry of Justice Public Notice No. 132 of 1990",
]
REFERENCES = [
    "受付番号：2026-00123",
    "No.1234567",
    "整理番号 A-0451",
    "公告第2026-15号",
    "案件番号：R8-0123",
    "問合せ番号 20260401-0012",
    "第2026-087号",
    "様式第34号",
    "別記第30号の2様式",
    "管理番号ISA-2026-0412",
    "調達番号 R8-ISA-015",
    "ref. 2026/0345",
]
HASHTAGS = [
    "#出入国在留管理庁",
    "#在留資格",
    "#入管",
    "#外国人在留支援センター",
    "#FRESC",
    "#ImmigrationServicesAgency",
    "#防災",
]


class Filler:
    """Fills a template's slots with invented, varied values, remembering where official contacts went."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, values):
        return self.rng.choice(values)

    def day(self) -> dt.date:
        return dt.date(2026, 1, 5) + dt.timedelta(days=self.rng.randrange(0, 420))

    def date_ja(self) -> str:
        d = self.day()
        wd = WEEKDAYS_JA[d.weekday()]
        reiwa = d.year - 2018
        styles = [
            f"{d.year}年{d.month}月{d.day}日（{wd}）",
            f"令和{reiwa}年{d.month}月{d.day}日（{wd}）",
            f"{d.month}月{d.day}日（{wd}）",
            f"{d.month}/{d.day}（{wd}）",
            f"{d.month}/{d.day}({wd})",
            f"{d.year}/{d.month}/{d.day}",
            f"{d:%Y/%m/%d}",
            f"{d:%Y-%m-%d}",
            f"{d.year}.{d.month}.{d.day}",
            f"R{reiwa}.{d.month}.{d.day}",
            full_width(f"{d.year}年{d.month}月{d.day}日"),
            f"令和{full_width(str(reiwa))}年{full_width(str(d.month))}月{full_width(str(d.day))}日",
            f"{d:%Y%m%d}",
            f"{d.year}年{d.month:02d}月{d.day:02d}日",
        ]
        return self.pick(styles)

    def date_range_ja(self) -> str:
        d = self.day()
        e = d + dt.timedelta(days=self.rng.randrange(1, 30))
        styles = [
            f"{d.month}月{d.day}日（{WEEKDAYS_JA[d.weekday()]}）から{e.month}月{e.day}日（{WEEKDAYS_JA[e.weekday()]}）まで",
            f"{d:%Y/%m/%d}～{e:%Y/%m/%d}",
            f"{d.year}.{d.month}.{d.day}-{e.year}.{e.month}.{e.day}",
            f"{d:%Y-%m-%d}〜{e:%Y-%m-%d}",
            f"{d.month}/{d.day}–{e.month}/{e.day}",
            f"令和{d.year - 2018}年{d.month}月{d.day}日～同年{e.month}月{e.day}日",
        ]
        return self.pick(styles)

    def date_en(self) -> str:
        d = self.day()
        return self.pick(
            [
                f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}",
                f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}",
                f"{d:%Y-%m-%d}",
                f"{d.strftime('%a')}, {MONTHS_EN[d.month - 1][:3]} {d.day}",
                f"{d.month}/{d.day}/{d.year}",
            ]
        )

    def date_zh(self) -> str:
        d = self.day()
        return self.pick(
            [
                f"{d.year}年{d.month}月{d.day}日（星期{WEEKDAYS_ZH[d.weekday()]}）",
                f"{d.month}月{d.day}日",
                f"{d:%Y/%m/%d}",
            ]
        )

    def date_dmy(self) -> str:
        d = self.day()
        return self.pick(
            [f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day}/{d.month}/{d.year}", f"{d.day}.{d.month}.{d.year}"]
        )

    def hours_ja(self) -> str:
        return self.pick(
            [
                "9:00～12:00、13:00～16:00",
                "9時から16時まで",
                "09:00-16:00",
                "13:00–16:00",
                "午前9時～午後4時",
                "8時30分～17時15分",
                "９：００～１２：００",
                "10時00分から11時30分まで",
                "8:30〜17:15",
                "9:00 ～ 16:00",
                "午後1時30分から",
                "正午まで",
            ]
        )

    def hours_en(self) -> str:
        return self.pick(
            ["9:00 a.m. to 4:00 p.m.", "9:00-12:00 and 13:00-16:00", "8:30-17:15", "from 10:00 to 15:30", "9am-4pm"]
        )

    def count(self) -> str:
        n = self.rng.randrange(100, 4_000_000)
        return self.pick(
            [
                f"{n:,}人",
                f"{n:,}件",
                f"約{n // 1000:,}千人",
                f"{n % 10000:,}名",
                f"{n:,} people",
                f"{n // 10000}万{n % 10000:,}人",
                f"前年比{self.rng.randrange(1, 300) / 10}%増",
                f"{self.rng.randrange(2, 12)}.{self.rng.randrange(0, 9)}倍",
            ]
        )

    def amount(self) -> str:
        return self.pick(
            [
                "¥3,000",
                "3,000円",
                "4,000円",
                "6,000円分の収入印紙",
                "手数料1,600円",
                "￥１，６００",
                "30,000円以下",
                "US$30",
                "2万円",
                "R$ 150",
                "1,200 yen",
                "¥10,000",
            ]
        )

    def corporate_number(self) -> str:
        digits = "".join(self.pick(string.digits) for _ in range(13))
        return self.pick([f"法人番号 {digits}", f"法人番号：{digits}", f"（法人番号{digits}）", f"登録番号T{digits}"])


TEMPLATES: list[tuple[str, str, str]] = [
    # (category, language, template)
    (
        "closure",
        "ja",
        "【お知らせ】年末年始の閉庁について\n{year_end}の間、{office}は閉庁します。閉庁期間中のお問い合わせは、外国人在留総合インフォメーションセンター（{tel_info}）をご利用ください。{url}",
    ),
    (
        "closure",
        "ja",
        "【年末年始の窓口業務】令和8年12月29日（火）から令和9年1月3日（日）まで、{office}の窓口は休止します。1月4日（月）{hours}から通常どおり受け付けます。{hashtag}",
    ),
    (
        "closure",
        "ja",
        "【臨時閉庁のお知らせ】庁舎設備点検のため、{date}は{office}を臨時閉庁します。ご不便をおかけしますが、ご理解のほどよろしくお願いいたします。代表電話：{tel_office}",
    ),
    (
        "closure",
        "ja",
        "{office}からのお知らせです。{date}（祝日）は閉庁日です。翌開庁日の{hours}は大変混雑が予想されますので、お時間に余裕を持ってお越しください。",
    ),
    (
        "closure",
        "en",
        "[Notice] The {office_en} will be closed from December 29, 2026 to January 3, 2027. For inquiries, please call the Immigration Services Center at {tel_info} (from IP phones, PHS and abroad: {tel_abroad}), weekdays {hours_en}.",
    ),
    (
        "closure",
        "zh",
        "【通知】{office_zh}将于{date_zh}闭厅。咨询请拨打外国人在留综合信息中心：{tel_info}（平日8:30～17:15）。详情请见：{url}",
    ),
    (
        "closure",
        "vi",
        "[Thông báo] {office_en} sẽ đóng cửa vào ngày {date_dmy}. Mọi thắc mắc xin liên hệ Trung tâm Thông tin Tổng hợp về Lưu trú của Người nước ngoài: {tel_info}.",
    ),
    (
        "closure",
        "pt",
        "[Aviso] O {office_en} estará fechado em {date_dmy}. Informações: Centro de Informações Gerais para Residentes Estrangeiros, tel. {tel_info} (dias úteis, {hours_en}).",
    ),
    (
        "closure",
        "ko",
        "[안내] {office_en}는 {date_dmy} 휴무입니다. 문의: 외국인재류종합인포메이션센터 {tel_info} (평일 8:30~17:15)",
    ),
    (
        "closure",
        "es",
        "[Aviso] La oficina {office_en} permanecerá cerrada el {date_dmy}. Consultas: {tel_info} (días laborables, {hours_en}).",
    ),
    (
        "congestion",
        "ja",
        "【窓口混雑のお知らせ】3月から4月は在留資格に関する申請が大変混み合い、待ち時間が3時間を超える場合があります。オンライン申請もご利用ください。{url}",
    ),
    (
        "congestion",
        "ja",
        "【混雑状況】{date}の{office}の窓口は、{count}の来庁があり大変混雑しました。受付は{hours}です。受付終了時刻間際のご来庁はお控えください。",
    ),
    (
        "congestion",
        "ja",
        "{office}の在留審査窓口は、毎週月曜日と連休明けが特に混雑します。比較的すいているのは水曜日・木曜日の午後です。混雑状況はホームページで確認できます。{url} {hashtag}",
    ),
    (
        "congestion",
        "ja",
        "【整理券の配布について】{date}から、{office}では整理券を{hours}に配布します。配布枚数は1日{count}を予定しています。",
    ),
    (
        "congestion",
        "en",
        "[Congestion] The counters of the {office_en} are very crowded in March and April. Waiting times may exceed 3 hours. Please consider applying online: {url}",
    ),
    (
        "congestion",
        "zh",
        "【窗口拥挤通知】每年3月至4月在留资格相关申请窗口非常拥挤，等待时间可能超过3小时。请利用在线申请：{url}",
    ),
    (
        "congestion",
        "vi",
        "[Thông báo] Quầy tiếp nhận của {office_en} rất đông vào tháng 3 và tháng 4. Thời gian chờ có thể hơn 3 tiếng. Vui lòng sử dụng hồ sơ trực tuyến: {url}",
    ),
    (
        "procedure",
        "ja",
        "【手続の変更】{date}から、在留カードの交付申請の受付時間を{hours}に変更します。詳しくは{url}をご覧ください。",
    ),
    (
        "procedure",
        "ja",
        "【在留期間更新許可申請】在留期間の満了する日の3か月前から申請できます。手数料は{amount}です（収入印紙で納付）。根拠：{statute}。{url}",
    ),
    (
        "procedure",
        "ja",
        "{statute}に基づく届出は、事由が生じた日から14日以内に行ってください。届出はオンラインでも可能です。{url} お問い合わせ：{tel_info}",
    ),
    (
        "procedure",
        "ja",
        "【お知らせ】{date}に{statute}が施行されます。施行日以降の申請では、{reference}の様式をご使用ください。{url}",
    ),
    (
        "procedure",
        "ja",
        "【在留資格認定証明書】電子メールでの受領が可能になりました。申請時に受領用のメールアドレスを入力してください。詳細：{url}",
    ),
    ("procedure", "ja", "永住許可申請の手数料は{amount}です。申請書の様式は{reference}です。提出先：{postal} {office}"),
    (
        "procedure",
        "ja",
        "【届出の受付】所属機関に関する届出（{statute}）は、郵送でも受け付けています。送付先：{postal}　{office} 在留管理情報部門",
    ),
    (
        "procedure",
        "ja",
        "【重要】マイナンバーカードと在留カードの一体化（特定在留カード）の受付を{date}から開始します。制度の詳細はデジタル庁のページをご覧ください。{url}",
    ),
    (
        "procedure",
        "ja",
        "在留カードの有効期間の更新申請は、有効期間満了日の2か月前から受け付けます。本人確認書類と写真（縦4cm×横3cm）を持参してください。{hashtag}",
    ),
    (
        "procedure",
        "en",
        "[Procedure change] From {date_en}, applications for extension of period of stay will be accepted {hours_en}. The fee is {amount}. See {url}",
    ),
    (
        "procedure",
        "en",
        "Notifications under {statute_en} must be filed within 14 days. You can file them online at {url}. Questions: {tel_info}.",
    ),
    (
        "procedure",
        "zh",
        "【手续变更】自{date_zh}起，在留卡交付申请的受理时间变更为9:00～12:00、13:00～16:00。详情请见{url}",
    ),
    (
        "procedure",
        "vi",
        "[Thay đổi thủ tục] Từ ngày {date_dmy}, thời gian tiếp nhận hồ sơ gia hạn thời gian lưu trú là 9:00-12:00, 13:00-16:00. Lệ phí: {amount}. Chi tiết: {url}",
    ),
    (
        "procedure",
        "pt",
        "[Mudança de procedimento] A partir de {date_dmy}, os pedidos de renovação do período de permanência serão recebidos das 9:00 às 16:00. Taxa: {amount}. Veja: {url}",
    ),
    (
        "procedure",
        "tl",
        "[Paunawa] Simula {date_en}, ang aplikasyon para sa extension ng period of stay ay tatanggapin mula 9:00 hanggang 16:00. Bayad: {amount}. Tingnan: {url}",
    ),
    (
        "procedure",
        "ne",
        "[सूचना] {date_dmy} देखि बसाइ अवधि नवीकरण आवेदन 9:00-16:00 सम्म स्वीकार गरिनेछ। शुल्क: {amount}। विवरण: {url}",
    ),
    (
        "procedure",
        "id",
        "[Pemberitahuan] Mulai {date_dmy}, permohonan perpanjangan izin tinggal diterima pukul 9:00-16:00. Biaya: {amount}. Info: {url}",
    ),
    (
        "event",
        "ja",
        "【イベント】外国人在留支援センター（FRESC）で「外国人のための無料相談会」を開催します。\n日時：{date} {hours}\n会場：{postal}\n参加費：無料　定員：{count}\n申込み：{email}",
    ),
    (
        "event",
        "ja",
        "【セミナーのご案内】企業の人事担当者向けに「在留資格『特定技能』の基礎」セミナーを開催します。{date}、オンライン開催、参加無料。申込締切は{date2}です。お問い合わせ：{email}",
    ),
    (
        "event",
        "ja",
        "【開催報告】{date}、{office}で「外国人材受入れ説明会」を開催し、{count}の方にご参加いただきました。資料は{url}に掲載しています。",
    ),
    (
        "event",
        "ja",
        "【相談会】{office}は{date}に出張相談会を開催します。在留手続に関するご相談を{hours}に受け付けます（予約不要）。問合せ先：{tel_office}",
    ),
    (
        "event",
        "ja",
        "【職場見学会】入国審査官の仕事を紹介する職場見学会を{date}に開催します。対象：大学生・大学院生　定員{count}　申込み：{url}　{hashtag}",
    ),
    (
        "event",
        "en",
        "[Event] Free consultation for foreign residents at FRESC on {date_en}, {hours_en}. Venue: Yotsuya Tower 13F, 1-6-1 Yotsuya, Shinjuku-ku. Apply by e-mail: {email}",
    ),
    ("event", "zh", "【活动】外国人在留支援中心（FRESC）将于{date_zh}举办免费咨询会。报名：{email}　电话：{tel_fresc}"),
    (
        "event",
        "vi",
        "[Sự kiện] Buổi tư vấn miễn phí cho người nước ngoài tại FRESC vào ngày {date_dmy}, 13:00-16:00. Đăng ký qua email: {email}",
    ),
    (
        "event",
        "pt",
        "[Evento] Consulta gratuita para residentes estrangeiros no FRESC em {date_dmy}, das 13h às 16h. Inscrições: {email} ou {tel_fresc}.",
    ),
    (
        "disaster",
        "ja",
        "【臨時閉庁】台風{typhoon}号の接近に伴い、{date}は{office}を臨時閉庁します。申請期限が過ぎる方の取扱いは、後日ホームページでお知らせします。{url}",
    ),
    (
        "disaster",
        "ja",
        "【災害情報】{date}に発生した地震により被災された外国人の方へ。在留期間の満了日が近い方は、期限後も一定期間申請を受け付けます。相談窓口：{tel_info}（多言語対応）",
    ),
    (
        "disaster",
        "ja",
        "【大雨に関するお知らせ】気象警報の発表に伴い、本日{hours}以降の窓口受付を中止します。気象情報は気象庁のページをご確認ください。{url}",
    ),
    (
        "disaster",
        "ja",
        "【交通機関の運休】大雪の影響で、{date}の{office}の窓口は{hours}の受付とします。ご来庁の際は最新の交通情報をご確認ください。{hashtag}",
    ),
    (
        "disaster",
        "en",
        "[Disaster] Due to Typhoon No. {typhoon}, the {office_en} will be closed on {date_en}. For consultation in 17 languages, call {tel_info}. Updates: {url}",
    ),
    (
        "disaster",
        "zh",
        "【灾害信息】受第{typhoon}号台风影响，{office_zh}于{date_zh}临时闭厅。多语种咨询：{tel_info}。最新信息：{url}",
    ),
    (
        "disaster",
        "vi",
        "[Thiên tai] Do bão số {typhoon}, {office_en} tạm đóng cửa ngày {date_dmy}. Tư vấn đa ngôn ngữ: {tel_info}. Cập nhật: {url}",
    ),
    (
        "disaster",
        "pt",
        "[Desastre] Devido ao tufão nº {typhoon}, o {office_en} estará fechado em {date_dmy}. Consultas em vários idiomas: {tel_info}. Atualizações: {url}",
    ),
    ("disaster", "my", "[သတိပေးချက်] မုန်တိုင်း အမှတ် {typhoon} ကြောင့် {office_en} ကို {date_dmy} တွင် ပိတ်ပါမည်။ ဆက်သွယ်ရန်: {tel_info}"),
    (
        "statistics",
        "ja",
        "【統計】令和7年末現在における在留外国人数は{count}で、前年末に比べ{count2}増加しました。詳しくは{url}をご覧ください。",
    ),
    (
        "statistics",
        "ja",
        "【報道発表】{date}、令和7年における外国人入国者数等について公表しました。外国人入国者数は{count}（{count2}）でした。{url}",
    ),
    (
        "statistics",
        "ja",
        "{office}管内の{date}時点の在留外国人数は{count}です。国籍・地域別では、ベトナム、中国、フィリピンの順に多くなっています。{hashtag}",
    ),
    (
        "statistics",
        "en",
        "[Statistics] As of the end of 2025, the number of foreign residents was {count}, up {count2} from the previous year. Details: {url}",
    ),
    ("statistics", "zh", "【统计】截至2025年末，在留外国人数为{count}，比上年末增加{count2}。详情：{url}"),
    (
        "recruitment",
        "ja",
        "【採用情報】令和9年度入国警備官採用試験の受付を{date}から開始します。受付期間：{date_range}。受験資格等は人事院のページをご覧ください。{url}",
    ),
    (
        "recruitment",
        "ja",
        "【職員募集】{office}では非常勤職員（事務補助）を募集しています。勤務時間{hours}、時給{amount}。応募書類の送付先：{postal}　問合せ：{tel_office}",
    ),
    (
        "recruitment",
        "ja",
        "【業務説明会】入国審査官の仕事に興味のある方へ。{date}にオンライン業務説明会を開催します。申込みは{email}まで。{hashtag}",
    ),
    (
        "recruitment",
        "en",
        "[Recruitment] Applications for the Immigration Control Officer examination open on {date_en}. Details: {url}",
    ),
    (
        "procurement",
        "ja",
        "【入札公告】{reference}　{office}庁舎清掃業務一式。入札書の提出期限：{date}正午。調達機関：{office}（{corporate}）{url}",
    ),
    (
        "procurement",
        "ja",
        "【一般競争入札】通訳業務の委託について公告します。公告日：{date}。競争参加資格：全省庁統一資格「役務の提供等」。担当：会計課（{tel_office}）{corporate}",
    ),
    (
        "procurement",
        "ja",
        "【落札結果】{reference}の落札者は株式会社〇〇（{corporate}）、落札金額は{amount}（税込）でした。",
    ),
    (
        "warning",
        "ja",
        "【注意喚起】当庁職員を名乗る不審な電話やメールにご注意ください。当庁から電話で手数料の支払いを求めることはありません。不審に思ったら{tel_info}までご相談ください。",
    ),
    (
        "warning",
        "ja",
        "【偽サイトに注意】出入国在留管理庁の公式サイトは{url}です。在留資格の手続で、民間のサイトから手数料を求められることはありません。{hashtag}",
    ),
    (
        "warning",
        "ja",
        "【なりすましアカウントに注意】当庁の公式アカウントは @MOJ_IMMI 及び各地方局のアカウントです。公式アカウントの一覧は{url}でご確認ください。",
    ),
    (
        "warning",
        "ja",
        "【不法就労防止】外国人を雇用する際は、在留カードの「就労制限の有無」欄を確認してください。在留カード等読取アプリケーションを無料で公開しています。{url}",
    ),
    (
        "warning",
        "en",
        "[Warning] Beware of calls or e-mails from people claiming to be immigration officers. We never ask for fees by phone. If in doubt, call {tel_info}.",
    ),
    (
        "warning",
        "zh",
        "【注意】请警惕冒充出入国在留管理厅工作人员的电话和邮件。本厅不会通过电话要求支付手续费。如有疑问，请拨打{tel_info}。",
    ),
    (
        "warning",
        "vi",
        "[Cảnh báo] Hãy cẩn thận với các cuộc gọi hoặc email mạo danh nhân viên Cục Xuất nhập cảnh. Chúng tôi không bao giờ yêu cầu nộp phí qua điện thoại. Liên hệ: {tel_info}",
    ),
    (
        "warning",
        "pt",
        "[Alerta] Cuidado com telefonemas ou e-mails de pessoas que se dizem funcionários da imigração. Nunca cobramos taxas por telefone. Em caso de dúvida: {tel_info}.",
    ),
    (
        "support",
        "ja",
        "【FRESC】外国人在留支援センターでは、在留手続、雇用、人権、法律トラブルなどの相談を{count}語で受け付けています。{postal}　電話：{tel_fresc}　{url}",
    ),
    (
        "support",
        "ja",
        "【外国人在留総合インフォメーションセンター】在留手続に関するお問い合わせは、平日{hours}、{tel_info}（IP電話・PHS・海外からは{tel_abroad}）で受け付けています。",
    ),
    (
        "support",
        "ja",
        "生活・就労ガイドブック（{count}語版）を公開しました。{url}　冊子の送付をご希望の自治体・団体は{email}までご連絡ください。",
    ),
    (
        "support",
        "ja",
        "【ご案内】電子届出システムの利用者登録は、{date}以降{hours}の間は停止します（メンテナンス）。{reference}",
    ),
    (
        "support",
        "en",
        "Immigration Services Center: {tel_info} (from IP phones, PHS or abroad {tel_abroad}), weekdays {hours_en}. Consultation in English, Chinese, Korean, Spanish, Portuguese, Vietnamese and more.",
    ),
    (
        "support",
        "zh",
        "外国人在留综合信息中心：{tel_info}（IP电话、PHS及海外拨打：{tel_abroad}），工作日8:30～17:15，提供多语种咨询。",
    ),
    (
        "support",
        "vi",
        "Trung tâm Thông tin Tổng hợp về Lưu trú: {tel_info} (từ điện thoại IP, PHS hoặc nước ngoài: {tel_abroad}), ngày thường 8:30-17:15.",
    ),
    (
        "support",
        "pt",
        "Central de Informações: {tel_info} (de telefones IP, PHS ou do exterior: {tel_abroad}), dias úteis das 8h30 às 17h15. Atendimento em português.",
    ),
    ("support", "th", "ศูนย์ข้อมูลการพำนักสำหรับชาวต่างชาติ โทร {tel_info} (จากต่างประเทศ {tel_abroad}) วันทำการ 8:30-17:15"),
    (
        "system",
        "ja",
        "【システム停止】{date} {hours}の間、在留申請オンラインシステムを停止します。停止中は申請できません。{url}",
    ),
    (
        "system",
        "ja",
        "【復旧のお知らせ】{date}に発生した在留申請オンラインシステムの障害は、同日{hours}に復旧しました。ご迷惑をおかけしました。{hashtag}",
    ),
    (
        "system",
        "ja",
        "【重要】在留申請オンラインシステムのバージョン2.1.0を公開しました。ブラウザのキャッシュを削除してからご利用ください。{url}",
    ),
    (
        "system",
        "en",
        "[Maintenance] The Online Residence Application System will be unavailable on {date_en}, {hours_en}. {url}",
    ),
    (
        "airport",
        "ja",
        "【空港からのお知らせ】{office}では、{date}の出国手続は大変混雑が予想されます。出発時刻の3時間前までに空港にお越しください。顔認証ゲートもご利用いただけます。",
    ),
    (
        "airport",
        "ja",
        "【自動化ゲート】{date}から、日本人の出帰国手続で顔認証ゲートの運用時間を{hours}に拡大しました。利用者は1日平均{count}です。",
    ),
    (
        "airport",
        "en",
        "[Airport] Departure procedures at the {office_en} are expected to be very crowded on {date_en}. Please arrive 3 hours before your flight.",
    ),
    ("airport", "zh", "【机场通知】{date_zh}{office_zh}出境手续预计非常拥挤，请于航班起飞前3小时抵达机场。"),
    (
        "general",
        "ja",
        "【お知らせ】在留カードを紛失した場合は、14日以内に再交付申請をしてください。警察署で発行された遺失届出証明書等が必要です。{url}",
    ),
    (
        "general",
        "ja",
        "日本で働く外国人の方へ。雇用主から在留カードや旅券を取り上げられた場合は、{tel_fresc}（外国人在留支援センター）にご相談ください。{hashtag}",
    ),
    (
        "general",
        "ja",
        "【在留資格「特定技能」】{date}時点の特定技能在留外国人数は{count}となりました。分野別の内訳は{url}を参照してください。",
    ),
    (
        "general",
        "ja",
        "【本日のお知らせ】{office}の駐車場は{date}から工事のため利用できません。公共交通機関をご利用ください。最寄り駅から徒歩約10分です。",
    ),
    ("general", "ja", "【パブリックコメント】{statute}の一部改正案について、{date_range}、意見を募集します。{url}"),
    (
        "general",
        "ja",
        "出入国在留管理庁は、{date}付けで{statute}に係る運用の見直しを行いました。見直しの概要は{url}のとおりです。問合せ：{email}",
    ),
]


def fill(template: str, filler: Filler, office: tuple) -> tuple[str, list[dict]]:
    """The text and the spans of the official contacts put into it."""
    ja, en, zh, groups = office
    text = ""
    official: list[dict] = []

    def put(value: str, kind: str | None = None) -> None:
        nonlocal text
        if kind:
            official.append({"kind": kind, "start": len(text), "end": len(text) + len(value), "excerpt": value})
        text += value

    for literal, slot, _spec, _conv in string.Formatter().parse(template):
        text += literal
        if slot is None:
            continue
        if slot == "office":
            put(ja)
        elif slot == "office_en":
            put(en)
        elif slot == "office_zh":
            put(zh)
        elif slot == "tel_info":
            put(filler.pick(phone_forms(INFO_CENTRE)), "phone")
        elif slot == "tel_abroad":
            put(filler.pick(phone_forms(INFO_CENTRE_ABROAD)), "phone")
        elif slot == "tel_office":
            put(filler.pick(phone_forms(groups)), "phone")
        elif slot == "tel_fresc":
            put(filler.pick(phone_forms(FRESC)), "phone")
        elif slot == "email":
            address = filler.pick(OFFICIAL_EMAILS)
            put(filler.pick([address, address, full_width(address)]), "email")
        elif slot in ("date", "date2"):
            put(filler.date_ja())
        elif slot == "year_end":
            put(
                filler.pick(
                    [
                        "令和8年12月29日（火）から令和9年1月3日（日）まで",
                        "2026年12月29日～2027年1月3日",
                        "12/29（火）～1/3（日）",
                        "12月29日から1月3日まで",
                        "2026/12/29-2027/1/3",
                        "１２月２９日（火）～１月３日（日）",
                    ]
                )
            )
        elif slot == "date_range":
            put(filler.date_range_ja())
        elif slot == "date_en":
            put(filler.date_en())
        elif slot == "date_zh":
            put(filler.date_zh())
        elif slot == "date_dmy":
            put(filler.date_dmy())
        elif slot == "hours":
            put(filler.hours_ja())
        elif slot == "hours_en":
            put(filler.hours_en())
        elif slot in ("count", "count2"):
            put(filler.count())
        elif slot == "amount":
            put(filler.amount())
        elif slot == "url":
            put(filler.pick(URLS))
        elif slot == "postal":
            put(filler.pick(POSTAL))
        elif slot == "statute":
            put(filler.pick(STATUTES))
        elif slot == "statute_en":
            put(filler.pick(STATUTES_EN))
        elif slot == "reference":
            put(filler.pick(REFERENCES))
        elif slot == "corporate":
            put(filler.corporate_number())
        elif slot == "hashtag":
            put(filler.pick(HASHTAGS))
        elif slot == "typhoon":
            put(str(filler.rng.randrange(1, 30)))
        else:
            raise KeyError(slot)
    return text, official


def clean_corpus(rng: random.Random, per_template: int = 4) -> list[dict]:
    filler = Filler(rng)
    rows: list[dict] = []
    seen: set[str] = set()
    for category, lang, template in TEMPLATES:
        made = 0
        while made < per_template:
            text, official = fill(template, filler, rng.choice(OFFICES))
            if text in seen:
                continue
            seen.add(text)
            made += 1
            rows.append(
                {
                    "id": f"clean-{len(rows) + 1:04d}",
                    "category": category,
                    "lang": lang,
                    "text": text,
                    "official": official,
                }
            )
    return rows


# --- personal data ------------------------------------------------------------------------------

SEPARATORS = [
    ("", "none"),
    (" ", "space"),
    ("\u3000", "ideographic space"),
    ("-", "hyphen-minus"),
    ("‐", "hyphen U+2010"),
    ("–", "en dash"),
    ("—", "em dash"),
    ("―", "horizontal bar"),
    ("ー", "long vowel mark"),
    ("－", "full-width hyphen"),
    (".", "dot"),
    (" - ", "spaced hyphen"),
]

# (context template, language); {x} is where the personal data goes. The rest is
# what people write around it: replies to a post (§7), and drafts with something
# pasted by mistake. None holds personal data besides {x}; some hold an official number.
CONTEXTS = {
    "residence_card": [
        ("在留カード番号{x}の更新申請の進み具合を教えてください。", "ja"),
        ("私の在留カードは{x}です。新しいカードはいつ受け取れますか", "ja"),
        ("申請人の在留カード番号：{x}（4月1日受付分）", "ja"),
        ("カード番号{x}で在留期間更新を申請中です。0570-013904に電話してもつながりません。", "ja"),
        ("My residence card number is {x}. When can I pick up my new card?", "en"),
        ("Residence card: {x} — application submitted on 2026/4/1.", "en"),
        ("我的在留卡号码是{x}，请问审查还需要多久？", "zh"),
        ("Số thẻ lưu trú của tôi là {x}, xin hãy kiểm tra giúp.", "vi"),
        ("Meu cartão de residente é {x}. Quando fica pronto?", "pt"),
        ("【確認】在留カード{x}の方の申請書類を受領しました。", "ja"),
        ("在留カード（{x}）を紛失しました。再交付の方法は？", "ja"),
        ("Numero ng residence card ko: {x}. Salamat po.", "tl"),
    ],
    "my_number": [
        ("マイナンバーは{x}です。特定在留カードの申請はできますか", "ja"),
        ("個人番号：{x}（申請書に記入済み）", "ja"),
        ("個人番号{x}で登録しましたが、エラーになります。", "ja"),
        ("My Number {x} was printed on the notice I got on 2026-03-15.", "en"),
        ("我的个人编号是{x}，可以用于在线申请吗？", "zh"),
        ("Mã số cá nhân của tôi: {x}", "vi"),
        ("Meu My Number é {x}, está correto?", "pt"),
        ("マイナンバーカードの番号（{x}）を入力する欄がありません。", "ja"),
    ],
    "passport": [
        ("旅券番号{x}で予約しました。窓口は何時からですか", "ja"),
        ("パスポート番号：{x}、有効期限2031年5月", "ja"),
        ("Passport {x} — my visa application from 3 March is still pending.", "en"),
        ("Passport No. {x}. Please check my re-entry permit.", "en"),
        ("我的护照号码是{x}，请帮忙查询。", "zh"),
        ("Số hộ chiếu: {x}. Xin cảm ơn.", "vi"),
        ("Meu passaporte: {x}.", "pt"),
        ("旅券（{x}）を更新したので、届出が必要ですか", "ja"),
    ],
    "phone": [
        ("連絡先は{x}です。折り返しお願いします", "ja"),
        ("電話番号{x}（日中はつながります）", "ja"),
        ("携帯{x}まで連絡ください。9:00～18:00なら出られます", "ja"),
        ("TEL{x}　担当：営業部", "ja"),
        ("0570-013904は混んでいるので、{x}に電話をください", "ja"),
        ("Please call me back at {x}.", "en"),
        ("My phone: {x} (after 6 p.m.)", "en"),
        ("请打我的电话：{x}", "zh"),
        ("Số điện thoại của tôi là {x}", "vi"),
        ("Meu telefone é {x}, obrigado.", "pt"),
        ("Mi teléfono es {x}.", "es"),
        ("【下書き】相談者の電話：{x}　4/1来庁予定", "ja"),
    ],
    "email": [
        ("メールは{x}です。結果を送ってください", "ja"),
        ("連絡先メールアドレス：{x}", "ja"),
        ("Email me at {x} please.", "en"),
        ("请发邮件到{x}", "zh"),
        ("Email của tôi: {x}", "vi"),
        ("Meu e-mail: {x}", "pt"),
        ("質問があります。返信は{x}までお願いします（4月中）", "ja"),
        ("【下書き】申込者 {x}　定員50名", "ja"),
    ],
}


def letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(n))


def digits(rng: random.Random, n: int, first: str = string.digits) -> str:
    return rng.choice(first) + "".join(rng.choice(string.digits) for _ in range(n - 1))


def residence_card_forms(rng: random.Random) -> list[tuple[str, str]]:
    forms = []
    for sep, sep_name in SEPARATORS:
        for grouping in ("8", "4-4"):
            if grouping == "4-4" and sep == "":
                continue  # the same as "8" without separators
            for width in ("ascii", "full-width"):
                head, tail, number = letters(rng, 2), letters(rng, 2), digits(rng, 8)
                body = number if grouping == "8" else number[:4] + sep + number[4:]
                value = head + sep + body + sep + tail
                forms.append(
                    (f"{grouping} digits / {sep_name} / {width}", full_width(value) if width == "full-width" else value)
                )
    forms.append(("8 digits / none / lower case", (letters(rng, 2) + digits(rng, 8) + letters(rng, 2)).lower()))
    forms.append(
        (
            "4-4 digits / space / lower case",
            f"{letters(rng, 2)} {digits(rng, 4)} {digits(rng, 4)} {letters(rng, 2)}".lower(),
        )
    )
    return forms


def my_number(rng: random.Random) -> str:
    first = digits(rng, 11)
    return first + str(my_number_check_digit(first))


def my_number_forms(rng: random.Random) -> list[tuple[str, str]]:
    forms = []
    for sep, sep_name in SEPARATORS:
        for width in ("ascii", "full-width"):
            number = my_number(rng)
            value = sep.join([number[:4], number[4:8], number[8:]])
            forms.append((f"4-4-4 / {sep_name} / {width}", full_width(value) if width == "full-width" else value))
    return forms


def passport_forms(rng: random.Random) -> list[tuple[str, str]]:
    forms = []
    for sep, sep_name in SEPARATORS:
        for width in ("ascii", "full-width"):
            head = rng.choice(["TK", "TR", "TZ", "MZ", "ME", "RE", "AZ", "EJ", "PA", "GB"])
            value = head + sep + digits(rng, 7)
            forms.append((f"{sep_name} / {width}", full_width(value) if width == "full-width" else value))
    return forms


# (name, groups of digit counts, first digits): national numbers people give.
PHONE_SHAPES = [
    ("Tokyo 03", ("03", 4, 4)),
    ("Osaka 06", ("06", 4, 4)),
    ("Yokohama 045", ("045", 3, 4)),
    ("Sapporo 011", ("011", 3, 4)),
    ("Fujisawa 0466", ("0466", 2, 4)),
    ("Hachijo 04996", ("04996", 1, 4)),
    ("mobile 090", ("090", 4, 4)),
    ("mobile 080", ("080", 4, 4)),
    ("mobile 070", ("070", 4, 4)),
    ("IP 050", ("050", 4, 4)),
    ("free dial 0120", ("0120", 3, 3)),
    ("free dial 0800", ("0800", 3, 4)),
]


def phone_forms_personal(rng: random.Random) -> list[tuple[str, str]]:
    forms = []
    for shape_name, (prefix, *sizes) in PHONE_SHAPES:
        for sep, sep_name in SEPARATORS:
            for width in ("ascii", "full-width"):
                groups = [prefix] + [digits(rng, n, "123456789") for n in sizes]
                value = sep.join(groups)
                forms.append(
                    (f"{shape_name} / {sep_name} / {width}", full_width(value) if width == "full-width" else value)
                )
    # International and bracketed forms.
    for shape_name, (prefix, *sizes) in PHONE_SHAPES[:10]:
        groups = [prefix] + [digits(rng, n, "123456789") for n in sizes]
        national = prefix[1:]
        forms.append((f"{shape_name} / +81 hyphens", "-".join(["+81", national, *groups[1:]])))
        forms.append((f"{shape_name} / +81 spaces", " ".join(["+81", national, *groups[1:]])))
        forms.append((f"{shape_name} / +81 (0)", f"+81 (0){national}-{'-'.join(groups[1:])}"))
        forms.append((f"{shape_name} / +81 full-width", full_width("+81-" + "-".join([national, *groups[1:]]))))
        forms.append((f"{shape_name} / bracketed area code", f"({prefix}){groups[1]}-{groups[2]}"))
        forms.append((f"{shape_name} / bracketed middle", f"{prefix}({groups[1]}){groups[2]}"))
        forms.append(
            (
                f"{shape_name} / full-width brackets",
                f"（{full_width(prefix)}）{full_width(groups[1])}－{full_width(groups[2])}",
            )
        )
    return forms


def email_forms(rng: random.Random) -> list[tuple[str, str]]:
    locals_ = [
        "taro.example",
        "hanako_2026",
        "nguyen.v.a",
        "li.wei88",
        "maria-silva",
        "kim+visa",
        "a.b.c",
        "user2026",
        "tanaka.k",
        "joao.s",
    ]
    domains = [
        "gmail.com",
        "yahoo.co.jp",
        "icloud.com",
        "docomo.ne.jp",
        "ezweb.ne.jp",
        "softbank.ne.jp",
        "outlook.jp",
        "hotmail.com",
        "example-mail.net",
        "mail.example.co.jp",
    ]
    forms = []
    for index, (local, domain) in enumerate(zip(locals_, domains, strict=True)):
        address = f"{local}{rng.randrange(10, 99)}@{domain}"
        forms.append((f"{domain} / ascii", address))
        forms.append((f"{domain} / full-width", full_width(address)))
        if index % 2:
            forms.append((f"{domain} / upper case", address.upper()))
    return forms


def _shape_char(char: str) -> str:
    if char.isdigit():
        return "9" if char.isascii() else "９"
    if char.isalpha() and (char.isascii() or "\uff21" <= char <= "\uff5a"):
        return "A" if char.isascii() else "Ａ"
    return char


def personal_corpus(rng: random.Random) -> list[dict]:
    forms_by_kind = {
        "residence_card": residence_card_forms(rng),
        "my_number": my_number_forms(rng),
        "passport": passport_forms(rng),
        "phone": phone_forms_personal(rng),
        "email": email_forms(rng),
    }
    rows: list[dict] = []
    for kind, all_forms in forms_by_kind.items():
        contexts = CONTEXTS[kind]
        forms, shapes = [], set()
        for form, value in all_forms:
            # "space / full-width" and "ideographic space / full-width" are one shape: keep it once.
            shape = (form.split(" / ")[0] if kind == "phone" else "", "".join(map(_shape_char, value)))
            if shape not in shapes:
                shapes.add(shape)
                forms.append((form, value))
        for index, (form, value) in enumerate(forms):
            template, lang = contexts[index % len(contexts)]
            before, after = template.split("{x}")
            text = before + value + after
            official = []
            for number in ("0570-013904",):
                at = text.find(number)
                if at >= 0:
                    official.append({"kind": "phone", "start": at, "end": at + len(number), "excerpt": number})
            rows.append(
                {
                    "id": f"pd-{len(rows) + 1:04d}",
                    "kind": kind,
                    "form": form,
                    "lang": lang,
                    "text": text,
                    "expected": [
                        {"kind": kind, "start": len(before), "end": len(before) + len(value), "excerpt": value}
                    ],
                    "official": official,
                }
            )
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    rng = random.Random(SEED)
    clean = clean_corpus(rng)
    personal = personal_corpus(rng)
    forms = [(row["kind"], row["form"]) for row in personal]
    assert len(set(forms)) == len(forms), "every personal-data text holds a form of its own"
    write_jsonl(HERE / "clean.jsonl", clean)
    write_jsonl(HERE / "personal_data.jsonl", personal)
    (HERE / "official_contacts.json").write_text(
        json.dumps(official_contacts_added(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{len(clean)} clean texts, {len(personal)} personal-data texts")


if __name__ == "__main__":
    main()
