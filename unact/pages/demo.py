"""Demo pages: About UN-ACT, Where we work (a page per country), Get help, Privacy and
Contact, with the menus and the front page's introduction. Running it again changes
nothing that exists.

Telephone numbers: only emergency and helpline numbers that are widely published are
on the pages, and each country's staff note says they must be checked before the page
is published; a number we were not sure of is left out, and its note says so.
"""

from django.conf import settings
from django.utils import timezone

from publications.models import Publication

from .models import FrontPage, Page

CHECK = "To be checked by staff before publishing: call each number and confirm it with the country office. "

COUNTRIES = [
    (
        "cambodia",
        "Cambodia",
        "<p>UN-ACT works with the Royal Government of Cambodia and civil society on victim "
        "protection, including the minimum standards for the protection of the rights of "
        "victims of human trafficking, and on research into forced marriage between "
        "Cambodia and China.</p>",
        [("Police emergency", "117")],
        CHECK
        + "117 is the police emergency number. The anti-human trafficking hotline of the "
        "national police (often given as 1288) is left out until staff confirm it.",
    ),
    (
        "china",
        "China",
        "<p>UN-ACT works with the Government of China and partners on cross-border "
        "cooperation with its neighbours in the Greater Mekong Sub-region, including "
        "the return and reintegration of survivors.</p>",
        [("Police emergency", "110")],
        CHECK
        + "110 is the police emergency number. No national anti-trafficking hotline "
        "number was certain enough to publish: add one once confirmed.",
    ),
    (
        "lao-pdr",
        "Lao PDR",
        "<p>Lao PDR adopted its first anti-human trafficking law in 2015. UN-ACT supports "
        "its implementation, and research on Lao migrant workers who used recruitment "
        "agencies to find jobs in Thailand.</p>",
        [("Police emergency", "191")],
        CHECK
        + "191 is the police emergency number. No national anti-trafficking hotline "
        "number was certain enough to publish: add one once confirmed.",
    ),
    (
        "myanmar",
        "Myanmar",
        "<p>UN-ACT works with the Government of Myanmar and civil society on the "
        "identification and referral of trafficked persons and on safe migration.</p>",
        [("Police emergency", "199")],
        CHECK
        + "199 is the police emergency number. No national anti-trafficking hotline "
        "number was certain enough to publish: add one once confirmed.",
    ),
    (
        "thailand",
        "Thailand",
        "<p>UN-ACT works with the Royal Thai Government and civil society on regular "
        "labour migration, victim identification and the referral of survivors.</p>",
        [
            (
                "Prachabodi Center, Ministry of Social Development and Human Security",
                "1300",
            ),
            ("Police emergency", "191"),
        ],
        CHECK + "1300 is the ministry's 24-hour social assistance hotline, which takes "
        "trafficking reports; 191 is the police emergency number.",
    ),
    (
        "viet-nam",
        "Viet Nam",
        "<p>Viet Nam's revised penal code of 2015 recognises men who are forcibly "
        "exploited as victims of human trafficking. UN-ACT supports its "
        "implementation and cross-border cooperation.</p>",
        [("National child protection helpline", "111"), ("Police emergency", "113")],
        CHECK
        + "111 is the national child protection helpline and 113 the police emergency "
        "number. The anti-trafficking hotline of the Ministry of Labour (often given as "
        "1800 1567) is left out until staff confirm it.",
    ),
]


def _numbers_html(numbers):
    items = "".join(
        f"<li>{label}: <strong>{number}</strong></li>" for label, number in numbers
    )
    return f"<ul>{items}</ul>"


ABOUT = (
    "<p>UN-ACT, the United Nations Action for Cooperation against Trafficking in Persons, "
    "works with governments and civil society across the Greater Mekong Sub-region: "
    "Cambodia, China, Lao PDR, Myanmar, Thailand and Viet Nam.</p>"
    "<h2>What we do</h2><ul>"
    "<li>Support the COMMIT Process, through which the six governments cooperate "
    "against human trafficking, and make it more transparent, accountable and "
    "inclusive.</li>"
    "<li>Help survivors be referred and supported through national and transnational "
    "mechanisms: 2911 survivors in 2015.</li>"
    "<li>Support legal and policy improvements, and research that informs regular "
    "labour migration and the protection of people at risk.</li>"
    "<li>Support the Civil Society Platform to COMMIT, so that civil society "
    "organisations take part side by side with governments.</li></ul>"
)

GET_HELP = (
    "<p>If you or someone you know is in danger now, call the police. If you think you "
    "or someone else has been trafficked, or a job offer abroad looks wrong, you can "
    "ask for help.</p>"
    "<h2>Numbers in each country</h2>"
    "<p>Emergency and helpline numbers are listed on each country's page under "
    '<a href="/where-we-work/">Where we work</a>.</p>'
    "<h2>Staying safe on this site</h2>"
    "<p>The “Exit this page” button at the top leaves this site at once. Read "
    '<a href="/safety/">how to leave safely</a> to remove this site from your browser '
    "history.</p>"
)

CONTACT = (
    "<p>UN-ACT's regional management office is in Bangkok, Thailand, with project "
    "offices in each country of the Greater Mekong Sub-region.</p>"
    "<p>This site does not answer requests for help. If you are in danger, see "
    '<a href="/get-help/">Get help</a>.</p>'
)


def privacy_html():
    """What the portal stores and for how long, from the settings it runs with."""
    comment_days = settings.COMMENTS_IP_RETENTION_DAYS
    signup_days = settings.NEWSLETTER_IP_RETENTION_DAYS
    session_hours = settings.SESSION_COOKIE_AGE // 3600
    confirm_days = settings.NEWSLETTER_CONFIRM_MAX_AGE // (24 * 3600)
    return (
        "<p>This site does not track you. Reading it sets no cookie and loads nothing "
        "from other websites: no analytics, no advertising, no social media buttons. "
        "Videos load from YouTube or Vimeo only when you press play.</p>"
        "<h2>Cookies</h2>"
        "<p>Reading pages sets none. After you send a comment that waits for "
        "moderation, a session cookie remembers it so that you can see it; it lasts "
        f"{session_hours} hours. A short-lived message cookie may carry a notice such "
        "as “Thank you” to the next page. Staff signed in to the administration use a "
        "session cookie and a security (CSRF) cookie that ends when the browser "
        "closes.</p>"
        "<h2>Comments</h2>"
        "<p>We keep the name and text you give (shown once a moderator approves them), "
        "your email address if you give one (never shown; used to tell you of replies "
        "if you ask), and your IP address and browser name, to fight spam. The IP "
        f"address and browser name are erased after {comment_days} days, and comments "
        f"marked as spam are deleted after {comment_days} days.</p>"
        "<h2>Newsletter</h2>"
        "<p>We keep your email address, the name you give (optional), the language "
        "you chose, the text you agreed to and when, and when you confirmed. The IP "
        f"address you signed up from is erased after {signup_days} days. A "
        f"confirmation link works for {confirm_days} days. When you unsubscribe "
        "(one click in every email) we keep your address marked as unsubscribed, so "
        "that nothing more is sent to it; ask us to erase it completely.</p>"
        "<h2>Downloads and searches</h2>"
        "<p>A download adds one to a publication's count; nothing about who "
        "downloaded is kept. Searches are not stored.</p>"
        "<h2>The web server</h2>"
        "<p>Like any website, the server that hosts the portal may keep technical "
        "access logs (the addresses requested, IP addresses). How long depends on the "
        "hosting.</p>"
        "<h2>Limits against abuse</h2>"
        "<p>To limit spam, the number of comments and newsletter sign-ups from one "
        "address is counted for a short time (ten minutes for comments, an hour for "
        "sign-ups) under a scrambled (hashed) form of the IP address, then "
        "forgotten.</p>"
    )


PRIVACY_NOTE = (
    "Written from the portal's code and settings when the demo was loaded: comment IP "
    "addresses and browser names erased after COMMENTS_IP_RETENTION_DAYS (purge_comment_data, "
    "daily), sign-up IP addresses after NEWSLETTER_IP_RETENTION_DAYS (newsletter_purge_ips), "
    "sessions SESSION_COOKIE_AGE. Check it again after changing those settings, and add "
    "the hosting's access-log retention before publishing."
)

PAGES = [
    # slug, title, menu label, main menu, footer, order, body
    ("about", "About UN-ACT", "About", True, True, 10, ABOUT),
    ("where-we-work", "Where we work", "", True, False, 20, None),
    ("get-help", "Get help", "", True, True, 30, GET_HELP),
    ("contact", "Contact", "", False, True, 40, CONTACT),
    ("privacy", "Privacy", "", False, True, 50, None),
]

INTRO = (
    "<p>UN-ACT, the United Nations Action for Cooperation against Trafficking in "
    "Persons, works with governments and civil society in Cambodia, China, Lao PDR, "
    "Myanmar, Thailand and Viet Nam to counter human trafficking in the Greater Mekong "
    "Sub-region.</p>"
)


def _page(slug, parent=None, **fields):
    """The page, made if it does not exist (an existing one is left as staff edited it)."""
    page = Page.objects.filter(slug=slug, parent=parent).first()
    if page is None:
        page = Page(
            slug=slug,
            parent=parent,
            status=Page.Status.PUBLISHED,
            publish_at=timezone.now(),
            **fields,
        )
        page.full_clean()
        page.save()
    return page


def load(stdout, author=None):
    created = 0
    pages = {}
    for slug, title, label, main, footer, order, body in PAGES:
        if slug == "where-we-work":
            body = (
                "<p>UN-ACT works in the six countries of the Greater Mekong "
                "Sub-region, with a regional office in Bangkok.</p>"
            )
        if slug == "privacy":
            body = privacy_html()
        exists = Page.objects.filter(slug=slug, parent=None).exists()
        pages[slug] = _page(
            slug, title=title, menu_label=label, in_main_menu=main,
            in_footer=footer, menu_order=order, body=body,
            editor_note=PRIVACY_NOTE if slug == "privacy" else "",
        )  # fmt: skip
        created += not exists
    for order, (slug, name, text, numbers, note) in enumerate(COUNTRIES):
        parent = pages["where-we-work"]
        exists = Page.objects.filter(slug=slug, parent=parent).exists()
        _page(
            slug, parent=parent, title=name, menu_order=order, editor_note=note,
            body=text + "<h2>Numbers to call</h2>" + _numbers_html(numbers),
        )  # fmt: skip
        created += not exists
    if not FrontPage.objects.exists():
        # The seed's lead item, the 2015 annual report (publications' demo), else About.
        report = Publication.objects.filter(slug="un-act-2015-annual-report").first()
        FrontPage.objects.create(
            intro=INTRO,
            featured_publication=report,
            featured_page=None if report else pages["about"],
        )
    stdout.write(f"Pages: {created} created, {Page.objects.count()} in all.")
