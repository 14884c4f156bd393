"""Every public page type passes axe-core (WCAG 2.2 AA) and the Nu Html Checker, loads
nothing from another host, stays within the byte budget and does not overflow at 360 px."""

import gzip
import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from newsletter.tokens import confirmation_token, unsubscribe_token
from posts.models import Comment, Post

from .factories import (
    CommentFactory,
    PostFactory,
    PublicationFactory,
    SubscriberFactory,
)

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# One URL per public page type; the demo content fills them. page_fixtures() adds the
# pages that need rows of their own (a post with comments, newsletter links, long words).
PUBLIC_PAGES = [
    "/",
    "/?page=2",
    "/posts/",
    "/posts/un-act-2015-annual-report/",
    "/posts/exploitation-of-migrant-domestic-workers-in-saudi-arabia/",
    "/posts/commit-10-years-and-som-imm-video/",
    "/posts/category/blog/",
    "/posts/tag/commit/",
    "/posts/2016/",
    "/publications/",
    "/publications/?kind=annual-report",
    "/publications/un-act-2015-annual-report/",
    "/newsletter/",
    "/newsletter/archive/",
    "/newsletter/archive/un-act-april-2016-newsletter/",
    "/newsletter/confirm/not-a-token/",
    "/safety/",
    "/search/?q=trafficking",
    "/search/?q=trafficking&type=post&page=2",
    "/search/",
    "/search/?q=xylophone",
    "/no-such-page/",
]

# Words in the region's scripts without spaces (Khmer, Burmese and Thai write none
# between words), and a long address: the layout must wrap them at 360 px.
KHMER = "ការប្រយុទ្ធប្រឆាំងនឹងការជួញដូរមនុស្សនៅតំបន់អនុតំបន់មេគង្គ"
BURMESE = "လူကုန်ကူးမှုတိုက်ဖျက်ရေးဆိုင်ရာအမျိုးသားအဆင့်လုပ်ငန်းစီမံချက်"
THAI = "การต่อต้านการค้ามนุษย์ในอนุภูมิภาคลุ่มแม่น้ำโขง"
LONG_URL = "https://example.org/" + "referral-mechanism-" * 8


def require(path, what):
    if path.exists():
        return
    message = (
        f"{what} is missing ({path}); run `make test`, which installs it with npm."
    )
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


def load_demo():
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", "--no-admin", stdout=devnull)


def page_fixtures():
    """Rows for the page types the demo lacks; returns their paths."""
    commented = PostFactory(
        title="Safe migration: questions from readers",
        slug="safe-migration-questions",
        body='<p>Ask us.</p><p><iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="Safe migration explained"></iframe></p>',
    )
    question = CommentFactory(
        post=commented, text="Where can I check a recruitment agency?"
    )
    CommentFactory(
        post=commented,
        parent=question,
        name="UN-ACT",
        is_staff_reply=True,
        text="Each country keeps a list.",
    )
    words = PostFactory(
        title=f"{KHMER} {BURMESE} {THAI}",
        slug="long-words",
        summary=f"{KHMER}{BURMESE}{THAI}",
        body=f'<h2>{BURMESE}{THAI}</h2><p>{KHMER}{KHMER}</p><p>{THAI}{THAI}</p><p><a href="{LONG_URL}">{LONG_URL}</a></p>',
        tags=[THAI],
    )
    PublicationFactory(
        title=f"{KHMER}{BURMESE}",
        slug="long-words-publication",
        summary=THAI * 2,
        tags=[KHMER],
    )
    # A discussion longer than one page of comments (50 threads): both pages.
    discussed = PostFactory(
        title="Recruitment fees: your experiences", slug="recruitment-fees"
    )
    Comment.objects.bulk_create(
        Comment(
            post=discussed,
            name=f"Reader {number}",
            text=f"My experience, number {number}.",
            status="approved",
        )
        for number in range(52)
    )
    Post.objects.filter(pk=discussed.pk).refresh_comment_counts()
    pending = SubscriberFactory(
        status="pending", confirmed_at=None, email="pending@example.org"
    )
    subscribed = SubscriberFactory(email="reader@example.org")
    return {
        "commented": commented.get_absolute_url(),
        "long_words": words.get_absolute_url(),
        "comment_page_1": discussed.get_absolute_url(),
        "comment_page_2": discussed.get_absolute_url() + "?comments=2",
        "long_words_publication": reverse(
            "publications:detail", args=["long-words-publication"]
        ),
        "confirm": reverse("newsletter:confirm", args=[confirmation_token(pending)]),
        "unsubscribe": reverse(
            "newsletter:unsubscribe", args=[unsubscribe_token(subscribed.pk)]
        ),
    }


def all_pages():
    load_demo()
    return PUBLIC_PAGES + list(page_fixtures().values())


def run_axe(page):
    # evaluate() is not subject to the page's CSP, unlike an injected <script>.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag",
           values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})"""
    )
    return [
        f"{violation['id']}: {violation['help']} {[node['target'] for node in violation['nodes']][:3]}"
        for violation in result["violations"]
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_public_pages_have_no_axe_violations(live_server, page):
    require(AXE, "axe-core")
    failures = {}
    for path in all_pages():
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + path)
            if violations := run_axe(page):
                failures[f"{path} @{width}px"] = violations
    assert not failures, json.dumps(failures, indent=2, ensure_ascii=False)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_forms_with_errors_have_no_axe_violations_and_tie_errors_to_fields(
    live_server, page, screenshot
):
    """The comment form and the newsletter form, sent empty or wrong, say what is wrong
    next to each field, and each field names its message (aria-describedby)."""
    require(AXE, "axe-core")
    paths = page_fixtures()
    page.goto(live_server.url + paths["commented"] + "#comment-form")
    page.get_by_role("button", name="Send comment").click()
    page.wait_for_selector(".comment-form .errorlist")
    for field in ("id_name", "id_text"):
        described = page.get_attribute(f"#{field}", "aria-describedby") or ""
        messages = " ".join(page.inner_text(f"#{ref}") for ref in described.split())
        assert page.get_attribute(f"#{field}", "aria-invalid") == "true"
        assert messages.strip(), f"{field} names no error message"
    screenshot(page, "comment-form-errors")
    assert not run_axe(page)

    page.goto(live_server.url + reverse("newsletter:page"))
    page.fill("#page-signup-email", "not an address")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_selector(".signup .errorlist")
    described = page.get_attribute("#page-signup-email", "aria-describedby")
    assert "name@example.org" in page.inner_text(f"#{described}")
    assert not run_axe(page)


def test_public_pages_are_valid_html(client, db, tmp_path):
    require(VNU, "vnu-jar")
    java = shutil.which("java")
    if not java:
        pytest.fail("Java is needed to run the Nu Html Checker")
    paths = all_pages()
    responses = [(path, client.get(path)) for path in paths]
    # The forms with their error messages.
    commented = paths[len(PUBLIC_PAGES)]
    responses.append(
        (
            "comment form with errors",
            client.post(commented + "comment/", {"name": "", "text": ""}),
        )
    )
    responses.append(
        (
            "signup with errors",
            client.post(reverse("newsletter:signup"), {"email": "x", "source": "page"}),
        )
    )
    # A form sent without the CSRF cookie: the comment back on its page, any other form a page of its own.
    tokenless = Client(enforce_csrf_checks=True)
    responses.append(
        (
            "comment without a token",
            tokenless.post(commented + "comment/", {"name": "N", "text": "T"}),
        )
    )
    responses.append(
        (
            "admin login without a token",
            tokenless.post(reverse("admin:login"), {"username": "u"}),
        )
    )
    files = []
    for index, (path, response) in enumerate(responses):
        assert response.status_code in (200, 400, 403, 404), (
            path,
            response.status_code,
        )
        target = tmp_path / f"page{index}.html"
        target.write_bytes(response.content)
        files.append((path, target))
    result = subprocess.run(
        [
            java,
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            *[str(f) for _p, f in files],
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    names = {str(target): path for path, target in files}
    errors = [
        f"{names.get(m.get('url', '').removeprefix('file:'), m.get('url'))}:{m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not errors, "\n".join(errors)


# Light ------------------------------------------------------------------------------

BUDGET_BYTES = 30 * 1024
STATIC = ROOT / "static"


def gzip_size(data):
    return len(gzip.compress(data, compresslevel=9))


def test_every_page_type_stays_within_the_byte_budget(client, db):
    """HTML + CSS + JS of each public page type weigh at most 30 KB gzip-compressed."""
    import re

    over = {}
    sizes = {}
    for path in all_pages():
        response = client.get(path, headers={"accept-encoding": "gzip"})
        html = response.content
        assert response.get("Content-Encoding") == "gzip" or len(html) < 200, path
        text = (
            gzip.decompress(html)
            if response.get("Content-Encoding") == "gzip"
            else html
        )
        assets = re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', text)
        total = len(html) + sum(
            gzip_size((STATIC / asset.decode()).read_bytes()) for asset in assets
        )
        sizes[path] = total
        if total > BUDGET_BYTES:
            over[path] = total
    assert sizes and not over, f"over {BUDGET_BYTES} bytes: {over}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_public_pages_request_nothing_from_other_hosts(live_server, page):
    """Every request a public page makes goes to the site itself, video players included
    until the visitor presses play."""
    local = urlsplit(live_server.url).netloc
    foreign = []

    def record(request):
        if (
            urlsplit(request.url).scheme in ("http", "https")
            and urlsplit(request.url).netloc != local
        ):
            foreign.append((page.url, request.url))

    page.on("request", record)
    # Nothing may reach the outside world from a test, even after a click.
    page.route(lambda url: urlsplit(url).netloc != local, lambda route: route.abort())
    for path in all_pages():
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + path)
            page.evaluate(
                "window.scrollTo(0, document.body.scrollHeight)"
            )  # wake lazy images
            page.wait_for_load_state("networkidle")
    assert not foreign, foreign


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_long_words_in_the_regions_scripts_never_overflow_at_360px(
    live_server, page, screenshot
):
    paths = page_fixtures()
    page.set_viewport_size({"width": 360, "height": 800})
    for name in ("long_words", "long_words_publication"):
        page.goto(live_server.url + paths[name])
        overflowing = page.evaluate(
            """() => {
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
        )
        screenshot(page, f"long-words-{name}-360")
        assert overflowing["scroll"] <= overflowing["width"], overflowing
        assert not overflowing["out"], overflowing
    page.goto(live_server.url + "/posts/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
