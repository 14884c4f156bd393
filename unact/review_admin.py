"""Review before publishing in the admin (unact/review.py holds the rules).

ReviewAdminMixin goes before PublishingAdminMixin in a content admin's bases. The
change form gets a "Review" section (the item's review state; for a publisher deciding,
a comment for the author) and the buttons the user's role allows, as submit buttons of
the form beside "Save" (templates/admin/submit_line.html), so they work without
JavaScript and save what was typed with the decision:

- "Submit for review": staff who may not publish, on a draft not already waiting;
- "Approve and publish" and "Send back": those who may publish, on an item waiting.

Every submission and decision is written in the item's history with the edit it came
with, and in its revision's comment. ReviewRequestAdmin lists what waits.
"""

import json

import reversion

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from unact.models import ReviewRequest
from unact.review import (
    is_live,
    may_publish,
    publisher_emails,
    review_approve,
    review_latest,
    review_send_back,
    review_submit,
    reviews_close_published,
    reviews_delete,
)

# The buttons' names, as the form posts them, and their labels.
REVIEW_BUTTONS = {
    "submit": ("_review_submit", _("Submit for review")),
    "approve": ("_review_approve", _("Approve and publish")),
    "send_back": ("_review_send_back", _("Send back")),
}


def when_label(moment):
    """A moment as the admin shows it: local time, the active language's format."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def person_label(user):
    """Who did something, as the admin names them (reviews, drafts of changes)."""
    if user is None:
        return _("(deleted account)")
    return user.get_full_name() or user.get_username()


class ReviewForm(forms.Form):
    """Added to a content admin's form: the reviewer's comment, and the check that the
    button pressed is one this user may press on this item."""

    review_comment = forms.CharField(
        label=_("Comment for the author"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Required to send it back: say what needs to change."),
    )
    # Set by the admin for each request: the review buttons this user may press here.
    review_actions = frozenset()

    @property
    def changed_data(self):
        # The comment is said in the history entry's own words, not as a changed field.
        return [name for name in super().changed_data if name != "review_comment"]

    @property
    def review_action(self):
        """The review button pressed, if any ("submit", "approve" or "send_back")."""
        for action, (name, _label) in REVIEW_BUTTONS.items():
            if name in self.data:
                return action
        return None

    def clean(self):
        cleaned = super().clean()
        action = self.review_action
        if action and action not in self.review_actions:
            raise ValidationError(
                _("Your role cannot do this to this item."), code="review_not_allowed"
            )
        if action == "send_back" and not (cleaned.get("review_comment") or "").strip():
            self.add_error(
                "review_comment",
                ValidationError(
                    _("Say what needs to change: the author reads this comment."),
                    code="comment_required",
                ),
            )
        return cleaned


class ReviewAdminMixin:
    """Submit for review, approve and send back, in a Publishable model's admin."""

    def _review(self, item):
        """The item's newest review request (looked up once per item and request)."""
        if item is None:
            return None
        if not hasattr(item, "_review_latest"):
            item._review_latest = review_latest(item=item)
        return item._review_latest

    def review_actions(self, request, item):
        """The review buttons the user may press on this item (None: a new one)."""
        if item is None:
            allowed = self.has_add_permission(request)
            return {"submit"} if allowed and not may_publish(request.user) else set()
        if not self.has_change_permission(request, item):
            return set()
        latest = self._review(item)
        pending = latest is not None and latest.state == ReviewRequest.State.PENDING
        if may_publish(request.user):
            return {"approve", "send_back"} if pending else set()
        return set() if pending or is_live(item) else {"submit"}

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.get("form", self.form)
        kwargs["form"] = type(
            base.__name__,
            (ReviewForm, base),
            {"review_actions": frozenset(self.review_actions(request, obj))},
        )
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self._review(obj) is None and may_publish(request.user):
            # Nothing to say to a publisher about an item nobody submitted.
            return fieldsets
        fields = ["review_state"]
        if "send_back" in self.review_actions(request, obj):
            fields.append("review_comment")
        return [(_("Review"), {"fields": fields}), *fieldsets]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "review_state"]

    @admin.display(description=_("review"))
    def review_state(self, item):
        latest = self._review(item) if item.pk else None
        if latest is None:
            if is_live(item):
                return _("Published without review.")
            return _(
                "Not submitted. Save it as a draft as often as you like; when it is "
                "ready, press “Submit for review”: a publisher approves and publishes "
                "it, or sends it back to you with a comment."
            )
        if latest.state == ReviewRequest.State.PENDING:
            return _(
                "Waiting for review since %(when)s, submitted by %(who)s. It stays a "
                "draft until a publisher approves it."
            ) % {
                "when": when_label(latest.submitted_at),
                "who": person_label(latest.submitted_by),
            }
        if latest.state == ReviewRequest.State.APPROVED:
            return _("Approved by %(who)s on %(when)s.") % {
                "who": person_label(latest.reviewer),
                "when": when_label(latest.decided_at),
            }
        return format_html(
            "{}<blockquote>{}</blockquote>{}",
            _("Sent back by %(who)s on %(when)s with this comment:")
            % {
                "who": person_label(latest.reviewer),
                "when": when_label(latest.decided_at),
            },
            latest.comment,
            _("Change it and submit it for review again.")
            if "submit" in getattr(item, "_review_actions", ())
            else "",
        )

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        actions = context["adminform"].form.review_actions
        if obj is not None:
            # review_state (above) reads them while the page renders.
            obj._review_actions = actions
        context["review_buttons"] = [
            {"name": name, "label": label, "action": action}
            for action, (name, label) in REVIEW_BUTTONS.items()
            if action in actions
        ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        item = form.instance
        action = form.review_action
        if action == "submit":
            review_submit(item=item, user=request.user)
            form.review_event = _("Submitted for review.")
        elif action in ("approve", "send_back"):
            pending = ReviewRequest.objects.for_item(item).pending().first()
            if pending is None:
                raise PermissionDenied
            if action == "approve":
                review_approve(review=pending, user=request.user)
                item.refresh_from_db()
                if reversion.is_registered(self.model):
                    # The revision holds the item as published, not as the form saved it.
                    reversion.add_to_revision(item)
                form.review_event = _("Approved and published.")
            else:
                comment = form.cleaned_data["review_comment"]
                review_send_back(review=pending, user=request.user, comment=comment)
                form.review_event = _("Sent back to the author: “%(comment)s”") % {
                    "comment": comment.strip()
                }
        elif is_live(item) and self._review(item) is not None:
            # Published with the status field while it waited: that approves it.
            if reviews_close_published(items=[item], user=request.user):
                form.review_event = _("Approved by publishing it.")
        item._review_action = action

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        event = getattr(form, "review_event", None)
        if not event:
            return message
        # One history entry: the edit saved with the decision, then the decision.
        edit = (
            LogEntry(change_message=json.dumps(message)).get_change_message()
            if message
            else ""
        )
        return " ".join(part for part in (edit, str(event)) if part)

    def _review_response(self, request, item):
        action = getattr(item, "_review_action", None)
        title = str(item)
        if action == "submit":
            if publisher_emails():
                self.message_user(
                    request,
                    _(
                        "“%(title)s” is submitted for review. The publishers are told by email."
                    )
                    % {"title": title},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    _(
                        "“%(title)s” is submitted for review, but no publisher has an "
                        "email address: tell one yourself."
                    )
                    % {"title": title},
                    messages.WARNING,
                )
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", item.pk)
        if action == "approve":
            text = (
                _("“%(title)s” is approved; it is scheduled and appears at its time.")
                if item.is_scheduled
                else _("“%(title)s” is approved and published.")
            )
            self.message_user(request, text % {"title": title}, messages.SUCCESS)
            return redirect("admin:unact_reviewrequest_changelist")
        if action == "send_back":
            self.message_user(
                request,
                _("“%(title)s” is sent back to its author with your comment.")
                % {"title": title},
                messages.SUCCESS,
            )
            return redirect("admin:unact_reviewrequest_changelist")
        return None

    def response_add(self, request, obj, post_url_continue=None):
        return self._review_response(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._review_response(request, obj) or super().response_change(
            request, obj
        )

    def log_deletions(self, request, queryset):
        # An item's review requests go with it; they would otherwise wait forever.
        reviews_delete(model=self.model, pks=[item.pk for item in queryset])
        return super().log_deletions(request, queryset)


class ReviewStateFilter(admin.SimpleListFilter):
    """Waiting for review unless another state (or all) is chosen."""

    title = _("state")
    parameter_name = "state"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*ReviewRequest.State.choices, (self.ALL, _("All"))]

    def value(self):
        return super().value() or ReviewRequest.State.PENDING

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(state=self.value())


@admin.register(ReviewRequest)
class ReviewRequestAdmin(admin.ModelAdmin):
    """What waits for review (who submitted what, when), and what was decided. Requests
    are made and decided from the items' own pages; this list only shows them."""

    list_display = [
        "item_link",
        "kind",
        "submitted_by",
        "submitted_at",
        "state",
        "reviewer",
        "decided_at",
        "comment",
    ]
    list_display_links = None
    list_filter = [ReviewStateFilter, "content_type"]
    list_select_related = ["content_type", "submitted_by", "reviewer"]
    date_hierarchy = "submitted_at"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("item")
        if may_publish(request.user):
            return queryset
        # Contributors follow their own submissions.
        return queryset.filter(submitted_by=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("item"))
    def item_link(self, review):
        item = review.item
        if item is None:
            return _("(deleted)")
        opts = item._meta
        return format_html(
            '<a href="{}">{}</a>',
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk]),
            item,
        )

    @admin.display(description=_("kind"), ordering="content_type")
    def kind(self, review):
        return review.content_type.model_class()._meta.verbose_name
