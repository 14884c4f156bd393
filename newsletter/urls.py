from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("", views.newsletter_page, name="page"),
    path("subscribe/", views.signup, name="signup"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("language/<str:token>/", views.language, name="language"),
    path("archive/", views.archive_list, name="archive"),
    path("archive/<slug:slug>/", views.archive_detail, name="archive_detail"),
]
