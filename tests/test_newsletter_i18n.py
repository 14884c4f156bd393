"""The newsletter in the subscriber's language (issue 16, "The newsletter").

A subscriber's language is the one of the page they signed up on; the confirmation
email, the campaign frame and every link in them follow it, and the footer of every
email leads to a page where they change it. These campaigns have no edition in
another language, so the subject and body are the campaign's own (English) in every
frame; tests/test_newsletter_editions.py sends campaigns with a Thai edition.
"""

import re
from datetime import timedelta

import pytest

from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from newsletter import services
from newsletter.models import Subscriber
from newsletter.tokens import (
    language_token,
    read_language_token,
    read_unsubscribe_token,
    unsubscribe_token,
)
from tests.factories import CampaignFactory, StaffFactory, SubscriberFactory
from tests.test_newsletter import run_worker, text_part

CONFIRM_LINK = re.compile(r"https?://[^\s<>\"]+/newsletter/confirm/[^\s<>\"/]+/")
LANGUAGE_LINK = re.compile(r"https?://[^\s<>\"]+/newsletter/language/[^\s<>\"/]+/")
THAI = re.compile(r"[\u0e00-\u0e7f]")


def in_language(code, message, **values):
    with translation.override(code):
        return gettext(message) % values if values else gettext(message)


def url_in(code, name, **kwargs):
    with translation.override(code):
        return reverse(name, kwargs=kwargs or None)


def html_part(message):
    return message.get_body(("html",)).get_content()


def signup_data(email):
    return {"email": email, "name": "", "consent": "on", "source": "footer"}


# Signing up on a Thai page --------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the worker sends the confirmation
def test_thai_signup_end_to_end_email_and_pages_in_thai(client, smtp_server, settings):
    """Signup on /th/, the worker sends a Thai email whose link, under /th/, confirms."""
    front = client.get("/th/").content.decode()
    action = url_in("th", "newsletter:signup")
    assert action == "/th/newsletter/subscribe/" and f'action="{action}"' in front

    response = client.post(action, signup_data("somchai@example.org"))
    assert response.status_code == 200 and 'lang="th"' in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.language == "th" and subscriber.status == "pending"

    run_worker()
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]["message"]
    subject = in_language(
        "th",
        "Please confirm your subscription to the %(site)s newsletter",
        site=settings.SITE_NAME,
    )
    assert THAI.search(subject) and message["Subject"].strip() == subject
    body, html = text_part(message), html_part(message)
    assert in_language("th", "Hello,") in body and "Hello," not in body
    assert '<html lang="th">' in html
    link = CONFIRM_LINK.search(body).group(0)
    assert (
        link.startswith(f"{settings.SITE_URL}/th/newsletter/confirm/") and link in html
    )
    # The footer: leave, and change the language, both under /th/.
    assert f"{settings.SITE_URL}/th/newsletter/unsubscribe/" in body
    assert LANGUAGE_LINK.search(body).group(0).startswith(f"{settings.SITE_URL}/th/")

    path = link.removeprefix(settings.SITE_URL)
    page = client.get(path)
    assert page.status_code == 200 and page["Content-Language"] == "th"
    assert in_language("th", "Confirm my subscription") in page.content.decode()
    done = client.post(path)
    assert done.status_code == 200
    assert in_language("th", "Subscription confirmed") in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == "subscribed"


@pytest.mark.django_db(transaction=True)
def test_english_signup_stays_english_with_unprefixed_links(
    client, smtp_server, settings
):
    client.post(reverse("newsletter:signup"), signup_data("reader@example.org"))
    assert Subscriber.objects.get().language == "en"
    run_worker()
    message = smtp_server.messages[0]["message"]
    assert message["Subject"].startswith("Please confirm")
    body = text_part(message)
    assert (
        CONFIRM_LINK.search(body)
        .group(0)
        .startswith(f"{settings.SITE_URL}/newsletter/confirm/")
    )
    assert "Change the language of these emails:" in body
    assert '<html lang="en">' in html_part(message)


@pytest.mark.django_db(transaction=True)
def test_signing_up_again_on_another_language_sends_the_new_link_in_it(
    client, mailoutbox
):
    client.post(url_in("th", "newsletter:signup"), signup_data("dara@example.org"))
    run_worker()
    client.post(url_in("km", "newsletter:signup"), signup_data("dara@example.org"))
    run_worker()
    assert Subscriber.objects.get().language == "km"
    assert "/th/newsletter/confirm/" in mailoutbox[0].body
    assert "/km/newsletter/confirm/" in mailoutbox[1].body
    # A subscribed address keeps the language it has (its footer link changes it).
    Subscriber.objects.update(status="subscribed")
    client.post(url_in("vi", "newsletter:signup"), signup_data("dara@example.org"))
    assert Subscriber.objects.get().language == "km"


@pytest.mark.django_db
def test_a_language_that_is_switched_off_falls_back_to_english(settings):
    """A subscriber whose language the site no longer offers gets English, with
    addresses that work (a switched-off language has none)."""
    from newsletter.emails import CampaignEmail, confirmation_email

    settings.PUBLIC_LANGUAGES = [
        code for code in settings.PUBLIC_LANGUAGES if code != "lo"
    ]
    subscriber = SubscriberFactory(language="lo", status="pending")
    message = confirmation_email(subscriber)
    assert message.subject.startswith("Please confirm")
    assert f"{settings.SITE_URL}/newsletter/confirm/" in message.body
    settings.PUBLIC_LANGUAGES = ["en"]
    thai = SubscriberFactory(language="th")
    campaign_message = CampaignEmail(CampaignFactory()).message(
        email=thai.email, subscriber_id=thai.pk, language=thai.language
    )
    assert "Unsubscribe with one click:" in campaign_message.body
    assert f"{settings.SITE_URL}/newsletter/unsubscribe/" in campaign_message.body


# Campaigns to a mixed list ----------------------------------------------------------


def _mixed_list(thai=12, english=13):
    thais = SubscriberFactory.create_batch(thai, language="th")
    englishes = SubscriberFactory.create_batch(english, language="en")
    return {s.email for s in thais}, {s.email for s in englishes}


@pytest.mark.django_db(transaction=True)
def test_mixed_thai_english_list_each_gets_exactly_one_email_in_their_language(
    smtp_server, settings
):
    """Through a real SMTP server, in batches that mix the two languages."""
    settings.NEWSLETTER_BATCH_SIZE = 7
    thais, englishes = _mixed_list()
    campaign = CampaignFactory(subject="Mekong news", body="<p>Referral works.</p>")
    assert services.campaign_send(campaign=campaign)
    run_worker()

    received = [entry["to"][0] for entry in smtp_server.messages]
    assert sorted(received) == sorted(thais | englishes)  # exactly once each
    campaign.refresh_from_db()
    assert campaign.status == "sent" and campaign.sent_count == len(received)
    thai_footer = in_language("th", "Unsubscribe with one click:")
    browser = in_language("th", "View this email in your browser:")
    assert THAI.search(thai_footer) and THAI.search(browser)
    for entry in smtp_server.messages:
        message = entry["message"]
        body, html = text_part(message), html_part(message)
        subscriber = Subscriber.objects.get(email=entry["to"][0])
        assert (
            message["Subject"] == "Mekong news"
        )  # the campaign's own (it has no Thai edition)
        assert "Referral works." in body
        # Tokens carry the second they were signed: compare the address around them and
        # what they say.
        unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
        prefix = url_in(subscriber.language, "newsletter:unsubscribe", token="TOKEN")
        start, end = prefix.split("TOKEN")
        path = unsubscribe[unsubscribe.index(start) :]
        assert path.startswith(start) and path.endswith(end)
        assert read_unsubscribe_token(path[len(start) : -len(end)]) == subscriber.pk
        start, end = url_in(
            subscriber.language, "newsletter:language", token="TOKEN"
        ).split("TOKEN")
        changes = re.findall(re.escape(start) + r"([^/\s\"]+)" + re.escape(end), body)
        assert changes and all(
            read_language_token(token) == subscriber.pk for token in changes
        )
        assert re.search(re.escape(start) + r"[^/\s\"]+" + re.escape(end), html)
        if subscriber.email in thais:
            assert thai_footer in body and browser in body
            assert "/th/newsletter/archive/" in body and '<html lang="th"' in html
            assert 'lang="en"' in html  # the campaign's English text is marked as such
            assert "Unsubscribe with one click" not in body
        else:
            assert "Unsubscribe with one click:" in body and not THAI.search(body)
            assert "/th/" not in body and '<html lang="en"' in html


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_resumes_a_mixed_list_exactly_once_in_each_language(
    smtp_server, settings, monkeypatch
):
    """The crash test of tests/test_newsletter.py, on a Thai/English list: the worker
    dies after 9 messages; after the lease the rest go out, each once, in its language."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    import newsletter.sending as sending
    from newsletter.models import Delivery
    from tests.test_newsletter import WorkerKilled

    settings.NEWSLETTER_BATCH_SIZE = 20
    thais, englishes = _mixed_list(thai=15, english=15)
    assert services.campaign_send(campaign=CampaignFactory())
    original_mark, marks = sending.BatchSender.mark_sent, []

    def mark_then_die(self, delivery):
        original_mark(self, delivery)
        marks.append(delivery.pk)
        if len(marks) == 9:
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
    assert len(smtp_server.messages) == 9
    Delivery.objects.exclude(claimed_by="").update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker()
    received = [entry["to"][0] for entry in smtp_server.messages]
    assert sorted(received) == sorted(thais | englishes)
    assert Delivery.objects.filter(is_resent_after_crash=True).count() == 1
    thai_footer = in_language("th", "Unsubscribe with one click:")
    for entry in smtp_server.messages:
        body = text_part(entry["message"])
        assert (thai_footer in body) == (entry["to"][0] in thais)


@pytest.mark.django_db(transaction=True)
def test_mixed_list_in_each_language_with_a_non_smtp_backend(mailoutbox, settings):
    """The backends that take EmailMessage objects (console, file, an API) too."""
    settings.NEWSLETTER_BATCH_SIZE = 4
    thais, englishes = _mixed_list(thai=5, english=5)
    assert services.campaign_send(campaign=CampaignFactory())
    run_worker()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(thais | englishes)
    thai_footer = in_language("th", "Unsubscribe with one click:")
    for message in mailoutbox:
        assert (thai_footer in message.body) == (message.to[0] in thais)
        assert ("/th/newsletter/unsubscribe/" in message.body) == (
            message.to[0] in thais
        )


# The language page of the footer link -----------------------------------------------


@pytest.mark.django_db
def test_language_page_lists_languages_in_their_script_and_saves_with_post(
    client, settings
):
    subscriber = SubscriberFactory(language="th")
    token = language_token(subscriber.pk)
    url = url_in("th", "newsletter:language", token=token)
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'lang="th"' in html
    assert (
        page["Cache-Control"].startswith("max-age=0")
        or "no-cache" in page["Cache-Control"]
    )
    assert subscriber.email in html and 'name="robots" content="noindex"' in html
    for code, name in [
        ("en", "English"),
        ("km", "ខ្មែរ"),
        ("th", "ไทย"),
        ("zh-hans", "简体中文"),
    ]:
        assert f'lang="{code}">{name}</label>' in html
    assert re.search(r'value="th"[^>]*checked', html)
    assert (
        Subscriber.objects.get().language == "th"
    )  # a GET (link scanner) changes nothing

    response = client.post(url, {"language": "km"})
    assert response.status_code == 303
    assert (
        response["Location"]
        == url_in("km", "newsletter:language", token=token) + "?saved=1"
    )
    assert Subscriber.objects.get().language == "km"
    saved = client.get(response["Location"])
    assert saved["Content-Language"] == "km"
    assert (
        in_language(
            "km",
            "Saved. Your newsletter emails will come in the language chosen below.",
        )
        in saved.content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["lo", "xx", ""])
def test_language_page_refuses_a_language_the_site_does_not_offer(
    client, settings, language
):
    settings.PUBLIC_LANGUAGES = [
        code for code in settings.PUBLIC_LANGUAGES if code != "lo"
    ]
    subscriber = SubscriberFactory(language="th")
    url = reverse(
        "newsletter:language", kwargs={"token": language_token(subscriber.pk)}
    )
    response = client.post(url, {"language": language})
    assert (
        response.status_code == 400 and 'class="errorlist' in response.content.decode()
    )
    assert Subscriber.objects.get().language == "th"


@pytest.mark.django_db
def test_language_link_broken_or_of_another_purpose_shows_a_clear_page(client):
    subscriber = SubscriberFactory()
    for token in [
        "nonsense",
        language_token(subscriber.pk)[:-2],
        unsubscribe_token(subscriber.pk),  # another link's token is not accepted
        language_token(subscriber.pk + 100),  # erased from the list
    ]:
        url = reverse("newsletter:language", kwargs={"token": token})
        for response in (client.get(url), client.post(url, {"language": "km"})):
            assert response.status_code == 400
            assert "This link does not work" in response.content.decode()
    assert Subscriber.objects.get().language == "en"


@pytest.mark.django_db
def test_language_form_refuses_a_cross_site_post(settings):
    subscriber = SubscriberFactory()
    url = reverse(
        "newsletter:language", kwargs={"token": language_token(subscriber.pk)}
    )
    response = Client(enforce_csrf_checks=True).post(
        url, {"language": "km"}, HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403
    assert Subscriber.objects.get().language == "en"


# Staff ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_shows_and_filters_the_language_and_the_export_includes_it(client):
    SubscriberFactory(email="thai@example.org", language="th")
    SubscriberFactory(email="english@example.org", language="en")
    client.force_login(StaffFactory(groups=["Newsletter managers"]))
    changelist = reverse("admin:newsletter_subscriber_changelist")
    page = client.get(changelist, {"language__exact": "th"}).content.decode()
    assert "thai@example.org" in page and "english@example.org" not in page
    assert "ไทย" in page  # the column, and the filter's choice
    response = client.get(reverse("admin:newsletter_subscriber_export"))
    rows = b"".join(response.streaming_content).decode().splitlines()
    header = rows[0].split(",")
    assert "language" in header
    by_email = {row.split(",")[0]: row.split(",") for row in rows[1:]}
    assert by_email["thai@example.org"][header.index("language")] == "th"
    assert by_email["english@example.org"][header.index("language")] == "en"
