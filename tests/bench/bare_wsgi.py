"""The benchmark's baseline: the honest ceiling of a Django lookup. One view returning a fixed
JSON body of a given size, in a Django app with only CommonMiddleware (the project's settings
otherwise, DEBUG off)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
settings.ROOT_URLCONF = __name__
settings.MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]

SIZE = int(os.environ.get("BARE_BODY_BYTES", "1200"))
PAYLOAD = {"code": "US-TX", "status": "regulated", "padding": ""}
PAYLOAD["padding"] = "x" * max(0, SIZE - len(JsonResponse(PAYLOAD).content))


def bare(request):
    return JsonResponse(PAYLOAD)


urlpatterns = [path("bare", bare)]
application = get_wsgi_application()
