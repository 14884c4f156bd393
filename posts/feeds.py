from django.conf import settings
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from unact.feeds import BufferedFeed
from unact.tagging import attach_tag_names

from .models import Post


class LatestPostsFeed(BufferedFeed):
    title = _("UN-ACT: news and blog")
    page_url_name = "posts:list"
    feed_url_name = "feed"
    description = _(
        "News, blog posts and publications of UN-ACT, countering human trafficking in the Greater Mekong Sub-region."
    )

    def items(self):
        return attach_tag_names(
            list(Post.objects.published().for_language(get_language()).for_cards()[:20])
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        if item.content_warning:
            return _("Content warning: %(warning)s. %(summary)s") % {
                "warning": item.content_warning,
                "summary": item.summary,
            }
        return item.summary

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        names = [item.category.name] if item.category else []
        return names + item.tag_names

    def item_author_name(self):
        return settings.SITE_NAME


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed
    feed_url_name = "feed-atom"
    subtitle = LatestPostsFeed.description
