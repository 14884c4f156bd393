"""Campaign editions per language (issue 16, "The newsletter").

A campaign's own fields are its English edition; a `CampaignEdition` adds one in another
language. Each confirmed subscriber receives exactly one email: the edition in their
language where there is one, else the English one, in their language's frame. The
archive shows each edition under its language, and search indexes each.
"""

import json
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from newsletter import services
from newsletter.models import Campaign, CampaignEdition, Delivery, Subscriber
from tests.admin_forms import form_data
from tests.factories import CampaignFactory, StaffFactory, SubscriberFactory
from tests.test_newsletter import WorkerKilled, run_worker, text_part

ROOT = Path(__file__).resolve().parent.parent
THAI = re.compile(r"[\u0e00-\u0e7f]")
KHMER = re.compile(r"[\u1780-\u17ff]")
ENGLISH_SUBJECT = "May newsletter"
ENGLISH_TEXT = "Cross-border referral improved."
THAI_SUBJECT = "จดหมายข่าวเดือนพฤษภาคม"
THAI_TEXT = "การส่งต่อผู้เสียหายข้ามพรมแดนดีขึ้น"
THAI_PDF = "https://example.org/newsletter-th.pdf"
BROWSER_LINK = re.compile(r"https?://[^\s<>\"]+/newsletter/archive/[^\s<>\"/]+/")


def in_language(code, message):
    with translation.override(code):
        return gettext(message)


def html_part(message):
    return message.get_body(("html",)).get_content()


def campaign_with_thai_edition(**fields):
    campaign = CampaignFactory(
        subject=ENGLISH_SUBJECT,
        preheader="News from the region",
        body=f'<p>{ENGLISH_TEXT} <a href="/posts/">Read more</a></p>',
        **fields,
    )
    CampaignEdition.objects.create(
        campaign=campaign,
        language="th",
        subject=THAI_SUBJECT,
        preheader="ข่าวจากภูมิภาค",
        body=f'<p>{THAI_TEXT} <a href="/th/posts/">อ่านต่อ</a></p>'
        '<script>alert("x")</script>',
        publication_url=THAI_PDF,
    )
    return campaign


def mixed_list(thai=4, khmer=3, english=4):
    """{email: language} of confirmed Thai, Khmer and English subscribers."""
    return {
        subscriber.email: subscriber.language
        for language, count in (("th", thai), ("km", khmer), ("en", english))
        for subscriber in SubscriberFactory.create_batch(count, language=language)
    }


def assert_edition(language, subject, body, html):
    """The message a subscriber of `language` must get: Thai readers the Thai edition,
    everyone else the English one, in their own language's frame."""
    subject = subject.strip()  # a folded encoded word starts with the fold's space
    if language == "th":
        assert subject == THAI_SUBJECT
        assert THAI_TEXT in body and ENGLISH_TEXT not in body
        assert THAI_PDF in body and '<td lang="th"' in html
        assert "<script" not in html and 'alert("x")' not in body  # sanitised
    else:
        assert subject == ENGLISH_SUBJECT
        assert ENGLISH_TEXT in body and not THAI.search(body)
        assert THAI_PDF not in body and '<td lang="en"' in html
    footer = in_language(language, "Unsubscribe with one click:")
    assert footer in body and f'<html lang="{language}"' in html
    if language == "km":
        assert KHMER.search(footer) and "Unsubscribe with one click" not in body


# Sending ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_mixed_list_gets_thai_and_english_editions_exactly_once_through_smtp(
    client, smtp_server, settings
):
    """Thai, Khmer and English subscribers in batches that mix them, through a real SMTP
    server: Thai readers get the Thai edition, Khmer and English readers the English
    one (Khmer in the Khmer frame), each exactly once."""
    settings.NEWSLETTER_BATCH_SIZE = 4
    recipients = mixed_list()
    campaign = campaign_with_thai_edition()
    assert services.campaign_send(campaign=campaign)
    run_worker()

    received = [entry["to"][0] for entry in smtp_server.messages]
    assert sorted(received) == sorted(recipients)  # exactly once each
    assert len({entry["message"]["Message-ID"] for entry in smtp_server.messages}) == 11
    browser_links = {}
    for entry in smtp_server.messages:
        message, email = entry["message"], entry["to"][0]
        body, html = text_part(message), html_part(message)
        assert_edition(recipients[email], message["Subject"], body, html)
        browser_links[email] = BROWSER_LINK.search(body).group(0)

    campaign.refresh_from_db()
    assert campaign.status == "sent" and campaign.sent_count == 11
    languages = dict(
        Delivery.objects.filter(campaign=campaign).values_list(
            "subscriber__email", "language"
        )
    )
    assert languages == {
        email: "th" if language == "th" else "en"
        for email, language in recipients.items()
    }
    progress = services.campaign_progress(campaign)
    assert progress["sent_by_language"] == [
        {"code": "en", "name": "English", "sent": 7},
        {"code": "th", "name": "ไทย", "sent": 4},
    ]

    # "View this email in your browser" opens the subscriber's edition.
    for email, link in browser_links.items():
        path = link.removeprefix(settings.SITE_URL)
        page = client.get(path).content.decode()
        language = recipients[email]
        prefix = "" if language == "en" else f"/{language}"
        assert path == f"{prefix}/newsletter/archive/{campaign.slug}/"
        if language == "th":
            assert f"<h1>{THAI_SUBJECT}</h1>" in page
        elif language == "km":
            assert f'<h1 lang="en">{ENGLISH_SUBJECT}</h1>' in page
        else:
            assert f"<h1>{ENGLISH_SUBJECT}</h1>" in page


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_resumes_the_editions_exactly_once(
    smtp_server, settings, monkeypatch
):
    """The worker dies (as under SIGKILL) after 7 messages of a 30-row batch; after the
    lease the rest go out, each recipient once (the one message that may have been in
    flight again, with its Message-ID), each in their edition."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    import newsletter.sending as sending

    settings.NEWSLETTER_BATCH_SIZE = 30
    recipients = mixed_list(thai=8, khmer=6, english=8)
    campaign = campaign_with_thai_edition()
    assert services.campaign_send(campaign=campaign)
    original_mark, marks = sending.BatchSender.mark_sent, []

    def mark_then_die(self, delivery):
        original_mark(self, delivery)
        marks.append(delivery.pk)
        if len(marks) == 7:
            raise WorkerKilled

    monkeypatch.setattr(sending.BatchSender, "mark_sent", mark_then_die)
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="dies",
        excluded_queue_names=[],
    ).run()
    monkeypatch.setattr(sending.BatchSender, "mark_sent", original_mark)
    assert len(smtp_server.messages) == 7
    Delivery.objects.exclude(claimed_by="").update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker()

    received = [entry["to"][0] for entry in smtp_server.messages]
    assert sorted(received) == sorted(recipients)
    for entry in smtp_server.messages:
        message = entry["message"]
        assert_edition(
            recipients[entry["to"][0]],
            message["Subject"],
            text_part(message),
            html_part(message),
        )
    assert Delivery.objects.filter(is_resent_after_crash=True).count() == 1
    assert set(
        Delivery.objects.filter(subscriber__language="th").values_list(
            "language", flat=True
        )
    ) == {"th"}
    campaign.refresh_from_db()
    assert campaign.status == "sent" and campaign.sent_count == 22


@pytest.mark.django_db(transaction=True)
def test_editions_with_a_backend_that_takes_email_messages(mailoutbox, settings):
    """Backends other than SMTP (console, file, a provider's API) get the editions too."""
    settings.NEWSLETTER_BATCH_SIZE = 3
    recipients = mixed_list(thai=2, khmer=2, english=2)
    assert services.campaign_send(campaign=campaign_with_thai_edition())
    run_worker()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(recipients)
    for message in mailoutbox:
        html = message.alternatives[0][0]
        assert_edition(recipients[message.to[0]], message.subject, message.body, html)


@pytest.mark.django_db
def test_an_edition_in_a_language_the_site_is_not_in_is_not_sent(settings):
    """A language switched off has no addresses: its readers get English, as the
    frame does, and its edition waits until the language is on again."""
    from newsletter.emails import CampaignEmail

    campaign = campaign_with_thai_edition()
    settings.PUBLIC_LANGUAGES = [
        code for code in settings.PUBLIC_LANGUAGES if code != "th"
    ]
    subscriber = SubscriberFactory(language="th")
    message = CampaignEmail(campaign).message(
        email=subscriber.email, subscriber_id=subscriber.pk, language="th"
    )
    assert message.subject == ENGLISH_SUBJECT and ENGLISH_TEXT in message.body


# Two workers at once on PostgreSQL ---------------------------------------------------


class EditionCounter:
    """Messages received, with their Message-ID and subject; a little slow on purpose."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.content, policy=default)
        self.received.append(
            (envelope.rcpt_tos[0], message["Message-ID"], message["Subject"].strip())
        )
        await asyncio.sleep(0.002)
        return "250 OK"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_send_each_edition_exactly_once_on_postgresql():
    """Two `manage.py db_worker` processes share the campaign (SELECT … FOR UPDATE SKIP
    LOCKED), through a real SMTP server: every subscriber of a mixed Thai, Khmer and
    English list receives one message, in their edition."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("workers in other processes share the test database on PostgreSQL")
    from aiosmtpd.controller import Controller

    from .conftest import free_port
    from .servers import production_env
    from .test_several_machines import database_url

    now = timezone.now()
    languages = ("th", "km", "en")
    Subscriber.objects.bulk_create([
        Subscriber(email=f"reader{n}@example.org", status="subscribed", source="import",
                   consent_version="1", consent_text="yes", consented_at=now, confirmed_at=now,
                   language=languages[n % 3]) for n in range(600)])  # fmt: skip
    recipients = dict(Subscriber.objects.values_list("email", "language"))
    campaign = campaign_with_thai_edition()
    assert services.campaign_send(campaign=campaign)
    handler = EditionCounter()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = production_env(DATABASE_URL=database_url(), EMAIL_HOST="127.0.0.1",
                         EMAIL_PORT=str(controller.port), NEWSLETTER_BATCH_SIZE="40",
                         LOG_LEVEL="WARNING")  # fmt: skip
    env.pop("REDIS_URL", None)
    command = [sys.executable, "manage.py", "db_worker", "--no-reload",
               "--no-startup-delay", "--interval", "0.1"]  # fmt: skip
    workers = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while (
            time.monotonic() < deadline
            and not Campaign.objects.filter(pk=campaign.pk, status="sent").exists()
        ):
            time.sleep(0.3)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=20)
        controller.stop()
    campaign.refresh_from_db()
    assert campaign.status == "sent" and campaign.sent_count == 600
    addresses = [address for address, _id, _subject in handler.received]
    assert sorted(addresses) == sorted(recipients)  # exactly once each
    assert len({message_id for _address, message_id, _s in handler.received}) == 600
    for address, _message_id, subject in handler.received:
        expected = THAI_SUBJECT if recipients[address] == "th" else ENGLISH_SUBJECT
        assert subject == expected, (address, subject)
    assert Delivery.objects.filter(campaign=campaign, language="th").count() == 200


# The archive -------------------------------------------------------------------------


@pytest.mark.django_db
def test_archive_page_shows_each_edition_under_its_language(client):
    campaign = campaign_with_thai_edition(status="sent", sent_at=timezone.now())
    path = f"/newsletter/archive/{campaign.slug}/"

    english = client.get(path).content.decode()
    assert f"<h1>{ENGLISH_SUBJECT}</h1>" in english and ENGLISH_TEXT in english
    assert THAI_TEXT not in english and THAI_PDF not in english
    assert (
        f'<a href="/th{path}" lang="th" hreflang="th">ไทย</a>' in english
    )  # "Also in"

    thai = client.get(f"/th{path}")
    html = thai.content.decode()
    assert thai.status_code == 200 and '<html lang="th"' in html
    assert f"<h1>{THAI_SUBJECT}</h1>" in html and THAI_TEXT in html
    assert '<div class="prose">' in html  # in the page's language: no lang="en"
    assert ENGLISH_TEXT not in html and 'alert("x")' not in html
    assert f'href="{THAI_PDF}"' in html
    assert f'<a href="{path}" lang="en" hreflang="en">English</a>' in html
    assert f"<title>{THAI_SUBJECT} ·" in html
    data = json.loads(
        re.search(
            r'<script type="application/ld\+json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert data["name"] == THAI_SUBJECT and data["inLanguage"] == "th"

    # No Khmer edition: the English one, marked as English; the Thai one is named.
    khmer = client.get(f"/km{path}").content.decode()
    assert '<html lang="km"' in khmer
    assert f'<h1 lang="en">{ENGLISH_SUBJECT}</h1>' in khmer
    assert '<div class="prose" lang="en">' in khmer and ENGLISH_TEXT in khmer
    assert f'<a href="/th{path}" lang="th" hreflang="th">ไทย</a>' in khmer
    assert 'hreflang="en">English</a>' not in khmer.split("<article")[1]


@pytest.mark.django_db
def test_archive_list_and_newsletter_page_in_each_language(
    client, django_assert_num_queries
):
    campaign_with_thai_edition(status="sent", sent_at=timezone.now())
    CampaignFactory(
        subject="March newsletter",
        preheader="English only",
        status="sent",
        sent_at=timezone.now() - timedelta(days=30),
    )
    draft = CampaignFactory(subject="Draft")
    CampaignEdition.objects.create(
        campaign=draft, language="th", subject="ฉบับร่าง", body="<p>ร่าง</p>"
    )

    thai = client.get("/th/newsletter/archive/").content.decode()
    assert f">{THAI_SUBJECT}</a>" in thai and "ข่าวจากภูมิภาค" in thai
    assert '<h2 class="card-title"><a href="/th/newsletter/archive/' in thai
    assert '<h2 class="card-title" lang="en">' in thai and "March newsletter" in thai
    assert ENGLISH_SUBJECT not in thai and "ฉบับร่าง" not in thai
    english = client.get("/newsletter/archive/").content.decode()
    assert ENGLISH_SUBJECT in english and THAI_SUBJECT not in english
    listed = english.split('<ul class="campaign-list">')[1].split("</ul>")[0]
    assert 'lang="en"' not in listed
    page = client.get("/th/newsletter/").content.decode()
    assert f">{THAI_SUBJECT}</a>" in page and 'lang="en">March newsletter</a>' in page
    assert client.get(f"/th/newsletter/archive/{draft.slug}/").status_code == 404

    # One query for the editions of the page, however many campaigns it lists.
    for _ in range(5):
        campaign_with_thai_edition(status="sent", sent_at=timezone.now())
    with django_assert_num_queries(3):  # count, page, the page's Thai editions
        client.get("/th/newsletter/archive/")


# Search -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_indexes_each_edition_with_its_language(client):
    from unact.models import SearchDocument

    campaign = campaign_with_thai_edition()
    assert not SearchDocument.objects.filter(kind="edition").exists()  # a draft
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENDING)
    from newsletter.sending import campaign_finish_if_done

    assert campaign_finish_if_done(campaign.pk)
    documents = {
        document.language: document
        for document in SearchDocument.objects.filter(
            kind="edition", object_id=campaign.pk
        )
    }
    assert set(documents) == {"", "th"}
    assert documents["th"].title == THAI_SUBJECT
    assert documents["th"].url == f"/th/newsletter/archive/{campaign.slug}/"
    assert documents["th"].config == "simple"
    assert documents[""].title == ENGLISH_SUBJECT
    assert documents[""].url == f"/newsletter/archive/{campaign.slug}/"

    results = client.get("/th/search/", {"q": "พรมแดน"}).content.decode()
    assert f'href="/th/newsletter/archive/{campaign.slug}/"' in results
    assert f'href="/newsletter/archive/{campaign.slug}/"' not in results
    # In the page's language: no lang="en" on it (English results keep theirs).
    assert '<h2 class="search-title"><a href="/th/newsletter/' in results
    english = client.get("/search/", {"q": "พรมแดน"}).content.decode()
    assert '<h2 class="search-title" lang="th"><a href="/th/newsletter/' in english
    english = client.get("/th/search/", {"q": "referral"}).content.decode()
    assert (
        f'<h2 class="search-title" lang="en"><a href="/newsletter/archive/{campaign.slug}/"'
        in english
    )

    edition = campaign.editions.get()
    edition.subject = "จดหมายข่าวฉบับแก้ไข"
    edition.save()
    assert SearchDocument.objects.get(language="th").title == "จดหมายข่าวฉบับแก้ไข"
    edition.delete()
    assert list(
        SearchDocument.objects.filter(kind="edition").values_list("language", flat=True)
    ) == [""]
    from unact.search.services import search_index_rebuild

    CampaignEdition.objects.create(
        campaign=campaign, language="km", subject="ព្រឹត្តិបត្រ", body="<p>ព័ត៌មាន</p>"
    )
    assert search_index_rebuild()["edition"] == 2


# The admin -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the worker sends the campaign
def test_admin_edits_editions_inline_tests_them_and_counts_the_send(client, mailoutbox):
    SubscriberFactory(language="th")
    SubscriberFactory(language="km")
    SubscriberFactory(language="en")
    client.force_login(StaffFactory(is_superuser=True, email="editor@example.org"))
    campaign = CampaignFactory(subject=ENGLISH_SUBJECT, body=f"<p>{ENGLISH_TEXT}</p>")
    change_url = reverse("admin:newsletter_campaign_change", args=[campaign.pk])
    page = client.get(change_url).content.decode()
    assert 'name="editions-TOTAL_FORMS"' in page
    assert '<option value="th">ไทย</option>' in page
    assert '<option value="en">' not in page.split('id="editions-group"')[1]

    # A Thai edition added in the inline, through the form as a browser sends it.
    data = form_data(
        page,
        **{
            "editions-TOTAL_FORMS": "1",
            "editions-0-language": "th",
            "editions-0-subject": THAI_SUBJECT,
            "editions-0-preheader": "",
            "editions-0-body": f'<p onclick="x()">{THAI_TEXT}</p>',
            "editions-0-publication_url": "",
            "editions-0-campaign": str(campaign.pk),
            "_continue": "1",
        },
    )
    response = client.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    edition = CampaignEdition.objects.get(campaign=campaign)
    assert edition.language == "th" and edition.body == f"<p>{THAI_TEXT}</p>"
    # The campaign's revision holds its editions too (django-reversion follows inlines).
    from reversion.models import Version

    revision = Version.objects.get_for_object(campaign).first().revision
    assert revision.version_set.filter(
        content_type__model="campaignedition", object_id=str(edition.pk)
    ).exists()
    history = reverse("admin:newsletter_campaign_history", args=[campaign.pk])
    assert client.get(history).status_code == 200

    # Two editions in one language are refused.
    page = client.get(change_url).content.decode()
    data = form_data(
        page,
        **{
            "editions-TOTAL_FORMS": "2",
            "editions-1-language": "th",
            "editions-1-subject": "อีกฉบับ",
            "editions-1-body": "<p>อีก</p>",
            "editions-1-campaign": str(campaign.pk),
        },
    )
    response = client.post(change_url, data)
    assert response.status_code == 200 and "duplicate" in response.content.decode()
    assert CampaignEdition.objects.count() == 1

    # "Send a test": one email per edition, each in its language's frame.
    test_url = reverse("admin:newsletter_campaign_send_test", args=[campaign.pk])
    page = client.post(test_url, {"email": "editor@example.org"}, follow=True)
    assert [m.subject for m in mailoutbox] == [
        f"[Test] {ENGLISH_SUBJECT}",
        f"[Test] {THAI_SUBJECT}",
    ]
    assert THAI_TEXT in mailoutbox[1].body and "/th/newsletter/" in mailoutbox[1].body
    assert all(m.to == ["editor@example.org"] for m in mailoutbox)
    assert "2 emails, one per edition: English, ไทย." in page.content.decode()

    # Sending: the confirmation page says how many get each edition; the progress
    # counts every edition's messages; the editions are read-only.
    confirm = client.get(reverse("admin:newsletter_campaign_send", args=[campaign.pk]))
    assert (
        'or the English one: <span lang="en">English</span> 2 · '
        '<span lang="th">ไทย</span> 1</p>'
    ) in confirm.content.decode()
    mailoutbox.clear()
    client.post(
        reverse("admin:newsletter_campaign_send", args=[campaign.pk]),
        {"confirm": "yes"},
    )
    run_worker()
    campaign.refresh_from_db()
    assert campaign.status == "sent" and len(mailoutbox) == 3
    page = client.get(change_url).content.decode()
    assert "sent 3, failed 0, cancelled 0, remaining 0 of 3" in page
    assert 'Sent per edition: <span lang="en">English</span> 2' in page
    assert '<span lang="th">ไทย</span> 1' in page
    assert THAI_TEXT in page and 'name="editions-0-subject"' not in page
    client.post(
        change_url,
        {
            "editions-TOTAL_FORMS": "1",
            "editions-INITIAL_FORMS": "1",
            "editions-0-id": str(edition.pk),
            "editions-0-subject": "Changed",
        },
    )
    assert CampaignEdition.objects.get().subject == THAI_SUBJECT


# Demo content --------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_april_2016_newsletter_has_a_thai_edition_once(client):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", "--no-admin", stdout=StringIO())
    edition = CampaignEdition.objects.get()
    assert edition.campaign.slug == "un-act-april-2016-newsletter"
    assert edition.language == "th" and THAI.search(edition.subject)
    page = client.get(f"/th/newsletter/archive/{edition.campaign.slug}/")
    html = page.content.decode()
    assert page.status_code == 200 and f"<h1>{edition.subject}</h1>" in html
    # Its links lead to the Thai pages, and each of them answers.
    links = re.findall(r'href="(/th/(?:posts|publications)/[^"]+)"', edition.body)
    assert len(links) == 2
    for href in links:
        assert client.get(href).status_code == 200, href
    call_command("load_demo", "--no-admin", stdout=StringIO())
    assert CampaignEdition.objects.count() == 1


@pytest.mark.django_db
def test_a_publication_whose_language_changes_keeps_one_search_document():
    """Documents are unique per item and language: the old language's one goes."""
    from publications.models import Publication
    from tests.factories import PublicationFactory
    from unact.models import SearchDocument

    publication = PublicationFactory(language="en")
    Publication.objects.filter(pk=publication.pk).update(language="th")
    publication.refresh_from_db()
    publication.save()
    assert list(
        SearchDocument.objects.filter(kind="publication").values_list(
            "language", flat=True
        )
    ) == ["th"]
