from django.urls import path

from . import views

app_name = "posts"

urlpatterns = [
    path("", views.post_list, name="list"),
    path("<int:year>/", views.year_archive, name="year"),
    path("category/<slug:slug>/", views.category_detail, name="category"),
    path("tag/<slug:slug>/", views.tag_detail, name="tag"),
    path("<slug:slug>/", views.post_detail, name="detail"),
    path("<slug:slug>/comment/", views.comment_create, name="comment"),
]
