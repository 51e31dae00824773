import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anskaf.settings")
application = get_wsgi_application()

if os.environ.get("ANSKAF_WARMUP", "1") != "0":
    # Each gunicorn worker imports this module after the fork: pay the one-time costs here,
    # not on the first requests (anskaf/warmup.py says what they are and what they cost).
    from anskaf.warmup import warm_up

    warm_up()
