"""The languages in Chromium: the switcher, and the region's scripts at 360 px."""

import pytest

from .factories import CategoryFactory, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POSTS = {
    "km": (
        "ពលករចំណាកស្រុកទទួលបានជំនួយផ្លូវច្បាប់នៅតាមព្រំដែន",
        "អង្គការដៃគូបានបើកការិយាល័យជំនួយផ្លូវច្បាប់ថ្មីមួយនៅតាមព្រំដែនកម្ពុជា-ថៃ "
        "ដើម្បីជួយពលករចំណាកស្រុកដែលត្រូវបានបោកបញ្ឆោតដោយភ្នាក់ងារជ្រើសរើសបុគ្គលិកខុសច្បាប់។",
    ),
    "th": (
        "แรงงานข้ามชาติได้รับความช่วยเหลือทางกฎหมายที่ชายแดน",
        "องค์กรภาคีเปิดสำนักงานช่วยเหลือทางกฎหมายแห่งใหม่ที่ชายแดนกัมพูชา-ไทย "
        "เพื่อช่วยเหลือแรงงานข้ามชาติที่ถูกหลอกลวงโดยนายหน้าจัดหางานที่ผิดกฎหมาย",
    ),
    "my": (
        "နယ်စပ်တွင် ရွှေ့ပြောင်းအလုပ်သမားများ ဥပဒေအကူအညီရရှိခြင်း",
        "မိတ်ဖက်အဖွဲ့အစည်းများသည် ကမ္ဘောဒီးယား-ထိုင်းနယ်စပ်တွင် ဥပဒေအကူအညီရုံးအသစ်တစ်ခုကို ဖွင့်လှစ်ခဲ့ပြီး "
        "တရားမဝင်အလုပ်အကိုင်ရှာဖွေရေးအေဂျင်စီများ၏ လှည့်စားခြင်းခံရသော ရွှေ့ပြောင်းအလုပ်သမားများကို ကူညီပေးလျက်ရှိသည်။",
    ),
    "lo": (
        "ແຮງງານເຄື່ອນຍ້າຍໄດ້ຮັບການຊ່ວຍເຫຼືອທາງກົດໝາຍຢູ່ຊາຍແດນ",
        "ອົງການຄູ່ຮ່ວມງານໄດ້ເປີດຫ້ອງການຊ່ວຍເຫຼືອທາງກົດໝາຍແຫ່ງໃໝ່ຢູ່ຊາຍແດນກຳປູເຈຍ-ໄທ "
        "ເພື່ອຊ່ວຍເຫຼືອແຮງງານເຄື່ອນຍ້າຍທີ່ຖືກຫຼອກລວງໂດຍນາຍໜ້າຈັດຫາງານທີ່ຜິດກົດໝາຍ.",
    ),
    "zh-hans": (
        "边境地区的移民工人获得法律援助",
        "合作伙伴在柬泰边境开设了一个新的法律援助办公室，帮助被非法招聘机构欺骗的移民工人。",
    ),
}

OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const element of document.querySelectorAll("body *")) {
        const box = element.getBoundingClientRect();
        if (box.width && box.right > width + 1 && !element.closest(".visually-hidden, .hp-field, .skip-link")) {
            out.push(element.tagName + "." + element.className + " right=" + Math.round(box.right));
        }
    }
    return {scroll: document.documentElement.scrollWidth, width, out: out.slice(0, 10)};
}"""


def test_the_switcher_leads_to_the_same_post_in_thai(live_server, page, settings):
    """Without JavaScript too: the switcher is plain links."""
    settings.PUBLIC_LANGUAGES = ["en", "km", "th"]
    PostFactory(slug="helpline", title="Helpline now open at night")
    page.goto(live_server.url + "/posts/helpline/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator('nav.languages a[hreflang="th"]').click()
    page.wait_for_url(live_server.url + "/th/posts/helpline/")
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.locator(".quick-exit-button").inner_text().startswith("ออกจากหน้านี้")
    assert page.locator('nav.languages a[aria-current="true"]').inner_text() == "ไทย"
    page.locator('nav.languages a[hreflang="en"]').click()
    page.wait_for_url(live_server.url + "/posts/helpline/")
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_switcher_leads_to_a_posts_thai_edition(live_server, page, settings):
    """A post with a Thai edition: the switcher's ไทย opens the edition (its own Thai
    title, slug and text), whose "Also in" leads back to the English post."""
    from unact.editions import edition_slugify

    settings.PUBLIC_LANGUAGES = ["en", "km", "th"]
    title, text = POSTS["th"]
    english = PostFactory(slug="legal-aid", title="Migrant workers get legal aid")
    thai = PostFactory(
        title=title,
        slug=edition_slugify(title),
        body=f"<p>{text}</p>",
        language="th",
        translation_key=english.translation_key,
    )
    page.goto(live_server.url + "/posts/legal-aid/")
    page.locator('nav.languages a[hreflang="th"]').click()
    page.wait_for_url(live_server.url + thai.get_absolute_url())
    assert page.locator("html").get_attribute("lang") == "th"
    heading = page.locator("h1")
    assert heading.inner_text() == title and heading.get_attribute("lang") is None
    assert text in page.locator(".prose").inner_text()
    assert page.locator('nav.languages a[aria-current="true"]').inner_text() == "ไทย"
    page.locator('.other-editions a[hreflang="en"]').click()
    page.wait_for_url(live_server.url + "/posts/legal-aid/")
    assert page.locator("h1").inner_text() == "Migrant workers get legal aid"


@pytest.mark.parametrize("code", ["km", "lo", "my", "zh-hans"])
def test_front_page_and_post_wrap_at_360px(
    live_server, browser, settings, screenshot, code
):
    """Khmer, Lao, Burmese and Chinese pages fit a 360 px phone; the screenshots under
    var/screenshots/ are for a person to look at."""
    settings.PUBLIC_LANGUAGES = ["en", code]
    title, text = POSTS[code]
    category = CategoryFactory(name="News", slug="news")
    for number in range(3):
        PostFactory(
            slug=f"legal-aid-{number}",
            title=title,
            summary=text,
            body=f"<p>{text}</p>" * 3,
            category=category,
            with_image=number == 0,
        )
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, java_script_enabled=False
    )
    page = context.new_page()
    for name, path in (("front", f"/{code}/"), ("post", f"/{code}/posts/legal-aid-0/")):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == code
        found = page.evaluate(OVERFLOW)
        screenshot(page, f"i18n-{code}-{name}-360")
        assert found["scroll"] <= found["width"], found
        assert not found["out"], found
    context.close()


@pytest.mark.parametrize("code", ["km", "lo", "my", "zh-hans"])
def test_pages_in_khmer_lao_burmese_and_chinese_have_no_axe_violations(
    live_server, page, code
):
    from .test_quality import AXE, require, run_axe

    require(AXE, "axe-core")
    title, text = POSTS[code]
    PostFactory(slug="legal-aid", title=title, summary=text, body=f"<p>{text}</p>")
    failures = {}
    for path in (
        f"/{code}/",
        f"/{code}/posts/legal-aid/",
        f"/{code}/publications/",
        f"/{code}/no-such-page/",
    ):
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + path)
            if violations := run_axe(page):
                failures[f"{path} @{width}px"] = violations
    assert not failures, failures
