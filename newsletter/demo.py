"""Demo content of the newsletter: the January and April 2016 editions, as sent.

The old site published both newsletters (/work/shared/seed/); here they are the
email editions of the archive, built from the stories of the seed they covered,
each sent to the few demo subscribers (fictitious example.org addresses).
"""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone, translation

from .models import Campaign, CampaignEdition, Delivery, Subscriber

OLD_DEMO_SLUG = "un-act-newsletter-demo-edition"
DEMO_SUBSCRIBERS = [
    ("dara.demo@example.org", "Dara"),
    ("mai.demo@example.org", "Mai"),
    ("somchai.demo@example.org", "Somchai"),
]
SUBSCRIBE_NOTE = (
    "<p>This is the email edition of the UN-ACT newsletter: easier to manage and with an "
    "improved layout. Forward it to a colleague, who can subscribe on our website.</p>"
)


def _post(slug):
    return reverse("posts:detail", kwargs={"slug": slug})


def _publication(slug):
    return reverse("publications:detail", kwargs={"slug": slug})


def editions():
    """The two editions: subject, slug, preheader, body and the day they were sent."""
    return [
        {
            "subject": "UN-ACT January 2016 Newsletter",
            "slug": "un-act-january-2016-newsletter",
            "preheader": "Ten years of COMMIT on film, and UN-ACT at the European Parliament.",
            "sent_at": datetime(2016, 1, 29, 10, 0),
            "body": f"""
<p>All the latest information on human trafficking in the Greater Mekong Sub-region.</p>
<h2>COMMIT 10 Years and SOM/IMM Video</h2>
<p>The Coordinated Mekong Ministerial Initiative Against Trafficking, better known as the
COMMIT Process, was established in 2004 by the six countries of the Greater Mekong
Sub-region. In early 2015, ministers of the COMMIT countries convened in Phnom Penh to
celebrate its 10th anniversary and adopt a new Sub-Regional Plan of Action. The video
documents the meeting and reflects on ten years of COMMIT through the eyes of many of the
key actors involved in the Process.</p>
<p><a href="{_post("commit-10-years-and-som-imm-video")}">Read more about the video</a></p>
<h2>UN-ACT in the EU Parliament</h2>
<p>UN-ACT was invited by the European Parliament's Sub-Committee on Human Rights to address
its hearing on "The fight against human trafficking in the EU's external relations", to
outline the global situation and the regional trends of Southeast Asia and the Greater
Mekong Sub-region.</p>
<p><a href="{_post("un-act-in-the-eu-parliament")}">Read more and watch the hearing</a></p>
<h2>The full edition</h2>
<p>The <a href="{_publication("un-act-january-2016-newsletter")}">January 2016 newsletter</a>
is also in our publications, as a PDF.</p>
{SUBSCRIBE_NOTE}""",
        },
        {
            "subject": "UN-ACT April 2016 Newsletter",
            "slug": "un-act-april-2016-newsletter",
            "preheader": "The new UN-ACT brochure, and news from the Greater Mekong Sub-region.",
            "sent_at": datetime(2016, 4, 28, 10, 0),
            "body": f"""
<p>All the latest information on human trafficking in the Greater Mekong Sub-region.</p>
<h2>New in Publications: the UN-ACT Brochure</h2>
<p>UN-ACT has published a new brochure outlining the evolution of the project and
positioning UN-ACT as a "coordinator" and "innovator" at the strategic intersection of
governance, policy, research and direct interventions in Southeast Asia's
counter-trafficking efforts.</p>
<p><a href="{_publication("un-act-brochure")}">Read the brochure</a></p>
<h2>The full edition</h2>
<p>The <a href="{_publication("un-act-april-2016-newsletter")}">April 2016 newsletter</a>
is also in our publications, as a PDF.</p>
{SUBSCRIBE_NOTE}""",
        },
    ]


def thai_editions():
    """The Thai edition of the April 2016 newsletter, by campaign slug: a careful draft
    translation awaiting review by a native speaker (docs/newsletter.md). Its links
    lead to the Thai pages (English where a publication has no Thai edition)."""
    with translation.override("th"):
        brochure = _publication("un-act-brochure")
        newsletter_pdf = _publication("un-act-april-2016-newsletter")
    return {
        "un-act-april-2016-newsletter": {
            "subject": "จดหมายข่าว UN-ACT ฉบับเดือนเมษายน 2016",
            "preheader": "โบรชัวร์ฉบับใหม่ของ UN-ACT และข่าวจากอนุภูมิภาคลุ่มแม่น้ำโขง",
            "body": f"""
<p>ข้อมูลล่าสุดทั้งหมดเกี่ยวกับการค้ามนุษย์ในอนุภูมิภาคลุ่มแม่น้ำโขง</p>
<h2>ใหม่ในหมวดสิ่งพิมพ์: โบรชัวร์ของ UN-ACT</h2>
<p>UN-ACT ได้จัดทำโบรชัวร์ฉบับใหม่ ซึ่งสรุปพัฒนาการของโครงการ และแสดงบทบาทของ UN-ACT
ในฐานะ "ผู้ประสานงาน" และ "ผู้ริเริ่มสิ่งใหม่" ณ จุดเชื่อมโยงเชิงยุทธศาสตร์ระหว่างธรรมาภิบาล
นโยบาย การวิจัย และการดำเนินงานโดยตรง ในความพยายามต่อต้านการค้ามนุษย์ของภูมิภาคเอเชียตะวันออกเฉียงใต้</p>
<p><a href="{brochure}">อ่านโบรชัวร์</a></p>
<h2>ฉบับเต็ม</h2>
<p><a href="{newsletter_pdf}">จดหมายข่าวฉบับเดือนเมษายน 2016</a>
มีให้อ่านในรูปแบบ PDF ในหมวดสิ่งพิมพ์ของเราด้วย</p>
<p>นี่คือจดหมายข่าว UN-ACT ฉบับอีเมล ซึ่งจัดการได้ง่ายขึ้นและมีรูปแบบที่อ่านง่ายขึ้น
ส่งต่อให้เพื่อนร่วมงานได้ และเขาสามารถสมัครรับจดหมายข่าวได้ที่เว็บไซต์ของเรา</p>""",
        },
    }


def load(stdout, author=None):
    Campaign.objects.filter(slug=OLD_DEMO_SLUG).delete()
    now = timezone.now()
    subscribers = []
    for email, name in DEMO_SUBSCRIBERS:
        subscriber, _created = Subscriber.objects.get_or_create(
            email=email,
            defaults={
                "name": name,
                "status": Subscriber.Status.SUBSCRIBED,
                "source": Subscriber.Source.IMPORT,
                "consent_source": "Demo data: a fictitious subscriber.",
                "consent_version": "demo",
                "consent_text": "Demo data.",
                "consented_at": timezone.make_aware(datetime(2015, 12, 1, 9, 0)),
                "confirmed_at": timezone.make_aware(datetime(2015, 12, 1, 9, 0)),
            },
        )
        subscribers.append(subscriber)
    for edition in editions():
        sent_at = timezone.make_aware(edition["sent_at"])
        campaign, created = Campaign.objects.get_or_create(
            slug=edition["slug"],
            defaults={
                "subject": edition["subject"],
                "preheader": edition["preheader"],
                "body": edition["body"].strip(),
                "status": Campaign.Status.SENT,
                "send_started_at": sent_at,
                "sent_at": sent_at,
                "progress_at": sent_at,
            },
        )
        if created:
            Delivery.objects.bulk_create(
                [
                    Delivery(
                        campaign=campaign,
                        subscriber=subscriber,
                        status=Delivery.Status.SENT,
                        language="en",
                        attempts=1,
                        next_attempt_at=sent_at,
                        sent_at=sent_at,
                    )
                    for subscriber in subscribers
                ]
            )
            Campaign.objects.filter(pk=campaign.pk).update(
                recipient_count=len(subscribers),
                sent_count=len(subscribers),
                updated_at=now,
            )
        stdout.write(
            f"Newsletter: {campaign} {'created' if created else 'already there'}."
        )
        thai = thai_editions().get(campaign.slug)
        if thai:
            # Also added to a demo database loaded before editions existed.
            _edition, created = CampaignEdition.objects.get_or_create(
                campaign=campaign,
                language="th",
                defaults={**thai, "body": thai["body"].strip()},
            )
            if created:
                stdout.write(f"Newsletter: Thai edition of {campaign} created.")
