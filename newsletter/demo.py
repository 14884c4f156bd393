"""Demo content of the newsletter: one sent edition, so the archive is not empty."""

from datetime import datetime

from django.utils import timezone

from .models import Campaign

DEMO_SLUG = "un-act-newsletter-demo-edition"
BODY = """
<p>Welcome to the email edition of the UN-ACT newsletter. Each edition gathers news of
our work with governments and civil society against human trafficking across Cambodia,
China, Lao PDR, Myanmar, Thailand and Viet Nam.</p>
<h2>In this edition</h2>
<ul>
<li>Regional cooperation under the COMMIT process</li>
<li>Support for the safe return and reintegration of survivors</li>
<li>Research on migration and recruitment practices</li>
</ul>
<p>Read all our news on the <a href="/posts/">portal</a>.</p>
"""


def load(stdout, author=None):
    campaign, created = Campaign.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={
            "subject": "UN-ACT newsletter: demo edition",
            "preheader": "News of the fight against trafficking in the Greater Mekong Sub-region",
            "body": BODY.strip(),
            "status": Campaign.Status.SENT,
            "sent_at": timezone.make_aware(datetime(2024, 6, 1, 9, 0)),
        },
    )
    stdout.write(f"Newsletter: demo edition {'created' if created else 'already there'}.")
