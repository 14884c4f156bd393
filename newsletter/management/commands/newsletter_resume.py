from django.core.management.base import BaseCommand

from newsletter.models import Campaign
from newsletter.tasks import send_campaign_batch


class Command(BaseCommand):
    help = (
        "Queue a batch task for every campaign still sending. Only needed if the task "
        "queue was emptied by hand; queuing twice is harmless (claims prevent doubles)."
    )

    def handle(self, *args, **options):
        for campaign in Campaign.objects.filter(status=Campaign.Status.SENDING):
            send_campaign_batch.enqueue(campaign.pk)
            self.stdout.write(f"Queued: {campaign}")
