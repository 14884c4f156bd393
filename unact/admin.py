from django.contrib import admin
from django.contrib.redirects.models import Redirect

from .redirects import RedirectForm

# contrib.redirects' own admin asks staff to pick a site and checks nothing.
admin.site.unregister(Redirect)


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    form = RedirectForm
    list_display = ["old_path", "new_path"]
    search_fields = ["old_path", "new_path"]
    fields = ["old_path", "new_path", "is_external"]
