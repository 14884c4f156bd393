import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unact.settings")
try:
    application = get_wsgi_application()
except ImproperlyConfigured as error:
    # A misconfigured deployment gets one clear line, not a traceback; gunicorn
    # (started with --preload) then stops instead of restarting workers forever.
    print(f"Configuration error: {error}", file=sys.stderr, flush=True)
    os._exit(4)
