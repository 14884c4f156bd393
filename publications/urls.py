from django.urls import path
from django.views.decorators.http import require_safe

from . import views
from .feeds import LatestPublicationsFeed

app_name = "publications"

urlpatterns = [
    path("", views.publication_list, name="list"),
    path("feed/", require_safe(LatestPublicationsFeed()), name="feed"),
    path(
        "preview/<int:pk>/",
        views.publication_changes_preview,
        name="changes-preview",
    ),
    path("<eslug:slug>/", views.publication_detail, name="detail"),
    path("<eslug:slug>/download/", views.publication_download, name="download"),
]
