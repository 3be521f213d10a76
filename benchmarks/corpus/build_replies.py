"""Writes the labelled corpus of replies the listening is measured on (benchmarks/replies.py, `make bench-replies`).

    python benchmarks/corpus/build_replies.py   # rewrites replies.jsonl beside this one

One JSON object per line: ``kind`` (the label: personal_data, phishing,
impersonation, spam, harmless), ``platform`` ("x" or "facebook"), ``text``,
``handle`` and ``name`` of the author, ``author`` (an id; the copies of one
spam share ``group``), ``link`` (a link a Facebook comment shares besides
its text, or ""), ``unwound`` (where X found an X link finally leads, or
{}), and ``lang``.

Harmful replies: at least 300, across every kind the listening must catch —
personal data in the forms residents of many countries write, phishing and
look-alike links (behind X's t.co, in Facebook's shared links), impostors by
handle and by display name, and the same spam from several authors.
Harmless replies: at least 300 in Japanese, English, Chinese, Vietnamese,
Tagalog, Portuguese, Spanish and Korean — questions, thanks (the same thanks
from many residents), polite complaints, quotes of the agency's own numbers
and moj.go.jp / isa.go.jp links, professionals and fans who name the agency.

Every text, name and number is invented here. Labels come from where this
script puts each item, not from the checks. Deterministic (fixed seed).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "replies.jsonl"

LANGS = ("ja", "en", "zh", "vi", "tl", "pt", "es", "ko")

QUESTIONS = {
    "ja": [
        "在留期間更新の申請は何日前からできますか？",
        "窓口の受付時間を教えてください。",
        "家族滞在の必要書類はどこで確認できますか",
        "オンライン申請の利用者登録ができません。どうすればよいですか",
        "永住許可の審査はどれくらいかかりますか",
        "資格外活動許可は同時に申請できますか？",
    ],
    "en": [
        "How many days before expiry can I apply to extend my period of stay?",
        "What are the counter hours on Saturday?",
        "Where can I find the documents needed for a dependent visa?",
        "Is the online application open during the holidays?",
        "Can I apply for permission to work part-time at the same time?",
    ],
    "zh": [
        "请问在留期间更新可以提前多少天申请？",
        "窗口的受理时间是几点到几点？",
        "家族滞在需要哪些材料？",
        "网上申请系统现在可以用吗？",
    ],
    "vi": [
        "Cho tôi hỏi có thể gia hạn tư cách lưu trú trước bao nhiêu ngày?",
        "Giờ làm việc của quầy tiếp nhận là mấy giờ ạ?",
        "Hồ sơ cần thiết cho visa gia đình là gì ạ?",
        "Tôi có thể nộp đơn trực tuyến vào cuối tuần không?",
    ],
    "tl": [
        "Ilang araw bago mag-expire puwede akong mag-apply ng extension?",
        "Anong oras bukas ang counter sa Sabado?",
        "Saan ko makikita ang mga kailangang dokumento para sa dependent visa?",
    ],
    "pt": [
        "Com quantos dias de antecedência posso pedir a renovação do visto?",
        "Qual é o horário de atendimento do balcão?",
        "Onde encontro a lista de documentos para o visto de dependente?",
    ],
    "es": [
        "¿Con cuántos días de antelación puedo solicitar la renovación?",
        "¿Cuál es el horario de atención de la ventanilla?",
        "¿Dónde puedo ver los documentos para la visa de dependiente?",
    ],
    "ko": [
        "체류기간 갱신은 며칠 전부터 신청할 수 있나요?",
        "창구 접수 시간은 언제인가요?",
        "가족체재 비자에 필요한 서류는 어디서 확인하나요?",
    ],
}
THANKS = {
    "ja": ["ありがとうございます！", "丁寧な案内をありがとうございました。助かりました", "いつもありがとうございます"],
    "en": ["Thank you so much!", "Thanks, this was very helpful.", "Thank you for the clear notice."],
    "zh": ["谢谢！", "非常感谢，很有帮助。"],
    "vi": ["Cảm ơn rất nhiều!", "Xin cảm ơn, thông tin rất hữu ích."],
    "tl": ["Salamat po!", "Maraming salamat po sa impormasyon."],
    "pt": ["Muito obrigado!", "Obrigada pela informação."],
    "es": ["¡Muchas gracias!", "Gracias por la información."],
    "ko": ["감사합니다!", "안내 감사합니다. 큰 도움이 되었습니다."],
}
COMPLAINTS = {
    "ja": ["昨日窓口で3時間待ちました。改善をお願いします。", "電話がなかなかつながりません。回線を増やしてほしいです"],
    "en": ["I waited three hours at the counter yesterday. Please improve this.", "The phone line is always busy."],
    "zh": ["昨天在窗口等了三个小时，希望能改善。"],
    "vi": ["Hôm qua tôi đã chờ ba tiếng ở quầy, mong được cải thiện."],
    "tl": ["Tatlong oras akong naghintay kahapon, sana po ay maayos ito."],
    "pt": ["Esperei três horas no balcão ontem. Por favor, melhorem isso."],
    "es": ["Ayer esperé tres horas en la ventanilla. Por favor, mejórenlo."],
    "ko": ["어제 창구에서 세 시간이나 기다렸습니다. 개선 부탁드립니다."],
}
OFFICIAL_QUOTES = [
    "インフォメーションセンター 0570-013904 に電話したらすぐ分かりました",
    "IP電話からは 03-5796-7112 ですね。ありがとうございます",
    "詳しくは https://www.moj.go.jp/isa/applications/index.html にありました",
    "The English page https://www.isa.go.jp/en/ explains it well.",
    "官网 https://www.isa.go.jp/zh-CN/ 上有说明，谢谢",
    "Trang https://www.moj.go.jp/isa/ có thông tin, cảm ơn",
    "e-Gov の https://www.e-gov.go.jp/ からも申請できますか",
    "申請番号 20260401-0012 の件で問い合わせました",
    "受付は 9:00〜16:00 と書いてありますね",
    "〒160-0004 の住所で合っていますか",
]
HARMLESS_PEOPLE = [
    ("gyosei_tanaka", "行政書士 田中（入管業務）"),
    ("lawyer_kato", "Immigration lawyer Kato"),
    ("nyukan_fan", "入管 非公式ファン"),
    ("visa_support_npo", "在留支援NPO ひまわり"),
    ("lisa_m", "Lisa official"),
    ("tokyo_lover88", "Tokyo lover"),
    ("immi_tokyolover", "Tokyo fan"),
    ("nguyen_van_a", "Nguyễn Văn A"),
    ("maria_santos", "Maria Santos"),
    ("kim_minji", "김민지"),
    ("li_wei", "李伟"),
    ("yamada_t", "山田 太郎"),
]

OFFICIAL_HANDLES = ["IMMI_TOKYO", "IMMI_OSAKA", "IMMI_NAGOYA", "IMMI_FUKUOKA", "MOJ_IMMI", "IMMI_SAPPORO"]
CONFUSABLE = {"I": ["І", "Ι", "l", "1", "Ｉ"], "O": ["О", "Ο", "0", "Ｏ"], "M": ["М", "Μ", "Ｍ"], "A": ["А", "Α", "4"]}
PASSPORT_WORDS = {
    "ja": "パスポート番号は {n} です",
    "en": "My passport number is {n}, please check",
    "zh": "我的护照号码是{n}，请帮忙查一下",
    "vi": "Số hộ chiếu của tôi là {n}",
    "tl": "Ang pasaporte ko ay {n}",
    "pt": "Meu passaporte: {n}",
    "es": "Mi pasaporte es {n}",
    "ko": "여권번호 {n} 입니다",
}
SPAM = [
    "在留資格の相談は当事務所へ！今なら初回無料 {link}",
    "Visa trouble? We fix any status in 3 days, DM now {link}",
    "签证问题找我们，三天搞定，详情见 {link}",
    "Hỗ trợ gia hạn visa nhanh, liên hệ ngay {link}",
    "永住権が確実に取れる方法を公開中 {link}",
    "Earn 50,000 yen a day from home, foreigners welcome {link}",
]
SPAM_WITHOUT_LINK = [
    "ビザの悩みは今すぐDMで！在留資格どんなケースでも対応します",
    "Need a visa fast? Send me a DM and I will handle everything for you",
    "签证加急办理，私信我，保证通过，价格优惠",
    "Làm visa nhanh, nhắn tin riêng cho mình nhé, bao đậu",
    "永住申請の裏ワザ教えます。プロフィール見てください",
]
SPAM_HOSTS = [
    "visa-help-fake.xyz",
    "fast-visa-fake.top",
    "eikyu-guide-fake.net",
    "jobs-jp-fake.com",
    "cheap-visa-fake.xyz",
]


def my_number(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(11)]
    total = sum(d * (n + 1 if n <= 6 else n - 5) for n, d in enumerate(reversed(digits), start=1))
    check = 0 if total % 11 <= 1 else 11 - total % 11
    s = "".join(map(str, digits)) + str(check)
    return rng.choice([s, f"{s[:4]} {s[4:8]} {s[8:]}", f"{s[:4]}-{s[4:8]}-{s[8:]}"])


def personal_data(rng: random.Random, i: int) -> dict:
    lang = LANGS[i % len(LANGS)]
    shape = i % 9
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    if shape == 0:
        text = f"友人の在留カード番号は {rng.choice(letters)}{rng.choice(letters)}{rng.randrange(10**8):08d}{rng.choice(letters)}{rng.choice(letters)} です"
    elif shape == 1:
        n = rng.choice(["E", "C", "P", "M", "FZ", "J"]) + f"{rng.randrange(10**7, 10**8)}"
        text = PASSPORT_WORDS[lang].format(n=n)
    elif shape == 2:
        text = f"マイナンバーは {my_number(rng)} です。確認してください"
    elif shape == 3:
        text = f"この人の電話は 090-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)} です"
    elif shape == 4:
        text = f"連絡先 taro{i}[at]example[dot]com にお願いします"
    elif shape == 5:
        text = f"メールは ｈａｎａｋｏ{i}＠ｅｘａｍｐｌｅ．ｃｏｍ です"
    elif shape == 6:
        text = f"Contact me at maria.{i}@example.org for the documents"
    elif shape == 7:
        text = f"旅券番号 T{rng.choice(letters)}{rng.randrange(10**6, 10**7)} を書き忘れました"
    else:
        text = f"在留カード　ＡＢ－{rng.randrange(1000, 9999)}－{rng.randrange(1000, 9999)}－ＣＤ　の再発行について"
    written_in = lang if shape == 1 else ("en" if shape == 6 else "ja")
    return {"kind": "personal_data", "platform": "x", "text": text, "lang": written_in}


def phishing(rng: random.Random, i: int) -> dict:
    hosts = [
        "moj-go.jp",
        "moj.gov.jp",
        "isa-go.jp",
        "moj.go.jp.verify-visa.xyz",
        "isa.go.jp.login-check.top",
        "isagojp.com",
        "moj-go-jp.net",
        "zairyu-app-download.xyz",
        "www.moj.go.jp@visa-renew.xyz",
        f"203.0.113.{i % 250 + 1}",
        "e-gov.co.jp",
        "moj.xn--g-1tb.jp",
    ]
    host = hosts[i % len(hosts)]
    path = rng.choice(["/renew", "/login", "/zairyu/update", "/app.apk", "/card"])
    link = f"https://{host}{path}"
    if host.startswith("zairyu-app"):
        link = f"https://{host}/app.apk"  # an app download, whatever its name
    wording = rng.choice(
        [
            "在留カードの更新はこちらから {link}",
            "Your residence status expires soon, verify at {link}",
            "在留期间即将到期，请点击 {link}",
            "Tư cách lưu trú sắp hết hạn, xác nhận tại {link}",
            "Official app download {link}",
        ]
    )
    if i % 4 == 3:  # a Facebook comment that shares the link
        return {"kind": "phishing", "platform": "facebook", "text": wording.format(link="").strip(), "link": link}
    return {"kind": "phishing", "platform": "x", "text": wording.format(link=link)}


def impostor(rng: random.Random, i: int) -> dict:
    official = OFFICIAL_HANDLES[i % len(OFFICIAL_HANDLES)]
    shape = i % 8
    name = rng.choice(["Info", "Support", "窓口案内", "Visa desk"])
    if shape == 0:
        handle = "".join(rng.choice(CONFUSABLE[c]) if c in CONFUSABLE and rng.random() < 0.5 else c for c in official)
        if handle == official:
            handle = official.replace("I", "І", 1)
    elif shape == 1:
        words = official.split("_")
        handle = "_".join(reversed(words))
    elif shape == 2:
        handle = official[:-1] if not official.endswith("I") else official[1:]
    elif shape == 3:
        handle = official.lower() + rng.choice(["_official", "_jp", "_info", "_support"])
    elif shape == 4:
        handle, name = (
            f"user{i}",
            rng.choice(
                ["東京出入国在留管理局", "大阪出入国在留管理局 相談窓口", "出入国在留管理庁", "名古屋出入国在留管理局"]
            ),
        )
    elif shape == 5:
        handle, name = (
            f"user{i}",
            rng.choice(["入管公式アカウント", "入管（公式）", "ISA Official", "Immigration Services Agency official"]),
        )
    elif shape == 6:
        handle, name = (
            f"user{i}",
            rng.choice(
                ["ΙSΑ Οfficial", "ＩＳＡ　公式", "東京出入国在留管理局", "Tokyo Regional Immigration Services Bureau"]
            ),
        )
    else:
        handle = official.replace("O", "0").replace("I", "1")
    return {
        "kind": "impersonation",
        "platform": "x",
        "text": rng.choice(["ビザの相談はDMへ", "Send your card photo by DM", "申請代行します"]),
        "handle": handle,
        "name": name,
    }


# Each resident words a question in their own way: an opening, the question, a closing.
OPENINGS = {
    "ja": ["", "すみません、", "質問です。", "初めて質問します。", "教えてください。"],
    "en": ["", "Hi, ", "Quick question: ", "Sorry to bother you, ", "Hello, "],
    "zh": ["", "你好，", "请问一下，", "打扰了，"],
    "vi": ["", "Xin chào, ", "Cho em hỏi, ", "Dạ, "],
    "tl": ["", "Magandang araw po, ", "Tanong lang po, "],
    "pt": ["", "Olá, ", "Boa tarde, ", "Uma dúvida: "],
    "es": ["", "Hola, ", "Buenas tardes, ", "Una pregunta: "],
    "ko": ["", "안녕하세요, ", "질문이 있습니다. ", "실례합니다. "],
}
CLOSINGS = {
    "ja": ["", "よろしくお願いします。", "（{place}在住）", "来月{n}日に行く予定です。"],
    "en": ["", " Thanks in advance.", " (I live in {place}.)", " My card expires on the {n}th."],
    "zh": ["", "谢谢。", "（住在{place}）", "我的卡{n}号到期。"],
    "vi": ["", " Em cảm ơn.", " (Em sống ở {place})", " Thẻ của em hết hạn ngày {n}."],
    "tl": ["", " Salamat po.", " (Nakatira po ako sa {place}.)", " Mag-e-expire po sa ika-{n}."],
    "pt": ["", " Obrigado.", " (Moro em {place}.)", " Meu cartão vence dia {n}."],
    "es": ["", " Gracias.", " (Vivo en {place}.)", " Mi tarjeta vence el día {n}."],
    "ko": ["", " 감사합니다.", " ({place} 거주)", " 카드가 {n}일에 만료됩니다."],
}
PLACES = ["新宿", "大阪", "名古屋", "福岡", "札幌", "横浜", "神戸", "浜松", "川口", "那覇"]


def harmless(rng: random.Random, i: int) -> dict:
    lang = LANGS[i % len(LANGS)]
    roll = i % 10
    closing = rng.choice(CLOSINGS[lang]).format(place=rng.choice(PLACES), n=rng.randrange(1, 29))
    if roll < 4:
        text = rng.choice(OPENINGS[lang]) + rng.choice(QUESTIONS[lang]) + closing
    elif roll < 7:
        text = rng.choice(THANKS[lang])  # the same thanks from many residents: never spam
    elif roll < 8:
        text = rng.choice(OPENINGS[lang]) + rng.choice(COMPLAINTS[lang]) + closing
    else:
        ja_closing = rng.choice(CLOSINGS["ja"][2:]).format(place=rng.choice(PLACES), n=rng.randrange(1, 29))
        text = rng.choice(OFFICIAL_QUOTES) + ja_closing
    handle, name = HARMLESS_PEOPLE[i % len(HARMLESS_PEOPLE)]
    platform = "facebook" if i % 5 == 4 else "x"
    item = {
        "kind": "harmless",
        "platform": platform,
        "text": text,
        "handle": f"{handle}{i}",
        "name": name,
        "lang": lang,
    }
    if platform == "facebook" and roll >= 8:
        item["link"] = "https://www.moj.go.jp/isa/"
    return item


def build() -> list[dict]:
    rng = random.Random(22)
    items: list[dict] = []
    items += [personal_data(rng, i) for i in range(90)]
    items += [phishing(rng, i) for i in range(84)]
    items += [impostor(rng, i) for i in range(80)]
    for group in range(20):  # the same spam from three authors
        host = SPAM_HOSTS[group % len(SPAM_HOSTS)]
        text = SPAM[group % len(SPAM)].format(link=f"https://{host}/p{group}") + f" #{group}"
        for copy in range(3):
            items.append(
                {
                    "kind": "spam",
                    "platform": "x",
                    "text": text,
                    "group": group,
                    "author": str(6_000_000 + group * 10 + copy),
                }
            )
    for group in range(5):  # spam with no link: the same text from three authors
        text = SPAM_WITHOUT_LINK[group] + f" #{group}"
        for copy in range(3):
            items.append({"kind": "spam", "platform": "x", "text": text, "author": str(6_100_000 + group * 10 + copy)})
    items += [harmless(rng, i) for i in range(330)]
    for n, item in enumerate(items):
        item.setdefault("handle", f"person{n}")
        item.setdefault("name", f"Person {n}")
        item.setdefault("author", str(5_000_000 + n))
        item.setdefault("link", "")
        item.setdefault("lang", "ja")
    return items


def main() -> None:
    items = build()
    OUT.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    counts: dict[str, int] = {}
    for item in items:
        counts[item["kind"]] = counts.get(item["kind"], 0) + 1
    print(f"wrote {len(items)} replies to {OUT.name}: {counts}")


if __name__ == "__main__":
    main()
