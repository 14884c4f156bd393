from django.urls import path, re_path

from . import views

app_name = "posts"

urlpatterns = [
    path("", views.post_list, name="list"),
    re_path(r"^(?P<year>[12][0-9]{3})/$", views.year_archive, name="year"),
    path("category/<slug:slug>/", views.category_detail, name="category"),
    # Tags in Thai, Khmer or Burmese get Unicode slugs. Django's slugify drops their
    # combining vowel signs and tone marks, so such a slug reads oddly (the page shows
    # the tag's name) and taggit numbers a clash.
    re_path(r"^tag/(?P<slug>[-\w]+)/$", views.tag_detail, name="tag"),
    path("preview/<int:pk>/", views.post_changes_preview, name="changes-preview"),
    path("<eslug:slug>/", views.post_detail, name="detail"),
    path("<eslug:slug>/comment/", views.comment_create, name="comment"),
    path("<eslug:slug>/comment/ticket/", views.comment_ticket, name="comment-ticket"),
]
