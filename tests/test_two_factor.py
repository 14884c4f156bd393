"""Two-factor sign-in for the admin (unact/twofactor.py): password, then a TOTP code or a
recovery code; mandatory with ADMIN_REQUIRE_2FA; wrong codes count toward the lock-out."""

import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posts.permissions import EDITORS
from unact.twofactor import recovery_codes_renew

from .admin_forms import change_form_data
from .factories import CampaignFactory, PageFactory, PostFactory, StaffFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def required(settings):
    settings.ADMIN_REQUIRE_2FA = True


def sign_in(client, username, code="", ip="203.0.113.7", password=PASSWORD):
    return client.post(
        reverse("admin:login"),
        {
            "username": username,
            "password": password,
            "otp_token": code,
            "next": reverse("admin:index"),
        },
        REMOTE_ADDR=ip,
    )


def enrolled(username="editor"):
    user = StaffFactory(username=username, groups=[EDITORS])
    device = TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=True
    )
    codes = recovery_codes_renew(user=user)
    return user, device, codes


def code_for(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_drafts_are_previewed_only_by_a_session_signed_in_with_the_second_factor():
    """Staff preview drafts on the public site; with the second factor required, a
    session signed in with a password alone (no device set up yet) is a visitor there:
    the drafts answer 404, as they do to anyone. Signed in with a code, they open."""
    StaffFactory(username="newcomer", is_superuser=True)
    user, device, _codes = enrolled("editor")
    post = PostFactory(draft=True, title="Embargoed: annual report", slug="embargoed")
    page = PageFactory(draft=True, title="Draft: helplines", slug="helplines")
    campaign = CampaignFactory(subject="Draft: June edition", slug="june")
    drafts = [
        post.get_absolute_url(),
        page.get_absolute_url(),
        reverse("newsletter:archive_detail", args=[campaign.slug]),
    ]
    password_only = Client()
    assert sign_in(password_only, "newcomer").status_code == 302
    for url in drafts:
        response = password_only.get(url)
        assert response.status_code == 404, url
        assert "Draft" not in response.content.decode() and "Embargoed" not in (
            response.content.decode()
        )
    with_code = Client()
    assert sign_in(with_code, "editor", code_for(device)).status_code == 302
    for url in drafts[:2]:  # an editor's drafts (campaigns are the newsletter's)
        assert with_code.get(url).status_code == 200, url

    # A draft of changes to a live post: its preview follows the same rule.
    live = PostFactory(title="Hotline hours", slug="hotline-hours")
    change = reverse("admin:posts_post_change", args=[live.pk])
    data = change_form_data(with_code, change, title="Embargoed: new hours")
    assert with_code.post(change, {**data, "_save_draft": "1"}).status_code == 302
    preview = reverse("posts:changes-preview", args=[live.pk])
    assert "Embargoed: new hours" in with_code.get(preview).content.decode()
    response = password_only.get(preview)
    assert response.status_code == 404 and "Embargoed" not in response.content.decode()


def test_the_editors_image_browser_needs_the_second_factor_too():
    """The image library's browser (CKEditor's popup, under the admin's address but not
    one of its views) opens only as the admin does: a password alone leads to the
    two-factor setup, and nobody signed in to the admin's sign-in page (not Django's
    default /accounts/login/, a 404 here)."""
    StaffFactory(username="editor", groups=[EDITORS])
    browser_url = reverse("image-browser") + "?CKEditorFuncNum=1"
    anonymous = Client().get(browser_url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("admin:login") + "?next=")
    client = Client()
    sign_in(client, "editor")
    response = client.get(browser_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:two_factor")
    assert "Choose an image to insert." not in response.content.decode()


def test_staff_without_a_device_set_one_up_before_the_admin_opens():
    StaffFactory(username="editor", groups=[EDITORS])
    client = Client()
    response = sign_in(client, "editor")
    assert response.status_code == 302
    # Password alone: every admin page leads to the setup page, not to content.
    assert client.get(reverse("admin:index"), follow=True).redirect_chain[-1][
        0
    ] == reverse("admin:two_factor")
    assert client.get(reverse("admin:posts_post_changelist")).status_code == 302
    page = client.get(reverse("admin:two_factor"))
    html = page.content.decode()
    # The QR code is drawn here (inline SVG), with the key as text: no third-party request.
    assert "<svg" in html and "<img" not in html.split('id="content-main"')[1]
    assert re.search(
        r"otpauth://totp/UN-ACT%3Aeditor\?secret=[A-Z2-7]+&amp;algorithm=SHA1", html
    )
    device = TOTPDevice.objects.get(user__username="editor", confirmed=False)
    # Reloading keeps the same key (the app already scanned it).
    client.get(reverse("admin:two_factor"))
    assert TOTPDevice.objects.filter(user__username="editor").count() == 1

    wrong = client.post(
        reverse("admin:two_factor"),
        {"otp_token": "000000" if code_for(device) != "000000" else "111111"},
    )
    assert wrong.context["form"].has_error("otp_token", "invalid_token")
    # django-otp makes each device wait a little longer after every wrong code.
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=5)):
        done = client.post(reverse("admin:two_factor"), {"otp_token": code_for(device)})
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert client.get(reverse("admin:index")).status_code == 200
    assert (
        LogEntry.objects.filter(change_message="Two-factor sign-in set up.").count()
        == 1
    )


def test_sign_in_with_password_and_code_and_each_code_only_once():
    _user, device, _codes = enrolled()
    code = code_for(device)
    client = Client()
    assert sign_in(client, "editor", code).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    # The same code cannot be replayed by someone who saw it.
    assert sign_in(Client(), "editor", code).status_code == 200


def test_password_alone_is_refused_with_the_same_message_as_a_wrong_password():
    enrolled()
    without_code = sign_in(Client(), "editor").content.decode()
    wrong_password = sign_in(
        Client(), "editor", password="wrong", ip="198.51.100.9"
    ).content.decode()
    message = (
        "Please enter the correct username, password and code for a staff account."
    )
    assert message in without_code and message in wrong_password


def test_a_wrong_code_counts_toward_the_lock_out(settings):
    settings.AXES_FAILURE_LIMIT = 3
    _user, device, _codes = enrolled()
    client = Client()
    for _attempt in range(2):
        assert (
            sign_in(
                client, "editor", "123456" if code_for(device) != "123456" else "654321"
            ).status_code
            == 200
        )
    assert AccessAttempt.objects.get(username="editor").failures_since_start == 2
    locked = sign_in(
        client, "editor", "999999" if code_for(device) != "999999" else "888888"
    )
    assert locked.status_code == 429
    # Locked out: even the right password and code wait for the cool-off.
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=60)):
        assert sign_in(client, "editor", code_for(device)).status_code == 429


def test_a_recovery_code_signs_in_once():
    _user, _device, codes = enrolled()
    client = Client()
    assert sign_in(client, "editor", codes[0].upper()).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    assert sign_in(Client(), "editor", codes[0]).status_code == 200
    assert StaticToken.objects.count() == 9


def test_a_forced_session_without_a_second_factor_opens_nothing():
    user = StaffFactory(username="editor", is_superuser=True)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 302


def test_in_development_the_demo_account_signs_in_with_its_password(settings):
    """ADMIN_REQUIRE_2FA is off with DEBUG on; nobody without a device needs a code."""
    settings.ADMIN_REQUIRE_2FA = False
    settings.DEBUG = True
    StaffFactory(username="admin", is_superuser=True, password="unact-demo")
    client = Client()
    assert sign_in(client, "admin", password="unact-demo").status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    # Whoever set up a device uses it, whatever the setting.
    enrolled("careful")
    assert sign_in(Client(), "careful").status_code == 200


def test_an_administrator_resets_a_lost_device_and_the_person_sets_up_again():
    colleague, _device, _codes = enrolled("colleague")
    admin_user, admin_device, _admin_codes = enrolled("chief")
    admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    assert sign_in(client, "chief", code_for(admin_device)).status_code == 302
    changelist = reverse("admin:auth_user_changelist")
    assert client.get(changelist).status_code == 200
    response = client.post(
        changelist,
        {"action": "reset_two_factor", "_selected_action": [colleague.pk]},
        follow=True,
    )
    assert "Two-factor sign-in reset for 1 person" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    assert not StaticDevice.objects.filter(user=colleague).exists()
    entry = LogEntry.objects.get(object_id=str(colleague.pk))
    assert (
        entry.user == admin_user
        and "Two-factor sign-in reset" in entry.get_change_message()
    )
    # The colleague signs in with the password and is led to set up a new app.
    again = Client()
    assert sign_in(again, "colleague").status_code == 302
    assert again.get(reverse("admin:index"), follow=True).redirect_chain[-1][
        0
    ] == reverse("admin:two_factor")


def test_reset_two_factor_command(capsys):
    enrolled("lost")
    call_command("reset_two_factor", "lost")
    assert "Removed 2 device(s) of lost" in capsys.readouterr().out
    assert not TOTPDevice.objects.exists()
    with pytest.raises(Exception, match="No account named 'nobody'"):
        call_command("reset_two_factor", "nobody")


def test_user_list_shows_two_factor_in_constant_queries(django_assert_max_num_queries):
    _admin, device, _codes = enrolled("chief")
    _admin.is_superuser = True
    _admin.save()
    client = Client()
    sign_in(client, "chief", code_for(device))
    for number in range(5):
        StaffFactory(username=f"staff{number}")
    url = reverse("admin:auth_user_changelist")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for number in range(5, 25):
        StaffFactory(username=f"staff{number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
