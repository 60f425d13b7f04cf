"""The benchmark's baseline: the honest ceiling of a Django lookup. One view returning a JSON
body of the size asked for (`/bare/<bytes>`, the size of the answer it is compared with), in
a Django app with only CommonMiddleware (the project's settings otherwise, DEBUG off)."""

import os
from functools import cache

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
settings.ROOT_URLCONF = __name__
settings.MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]


@cache
def payload(size: int) -> dict:
    data = {"code": "US-TX", "status": "regulated", "padding": ""}
    data["padding"] = "x" * max(0, size - len(JsonResponse(data).content))
    return data


def bare(request, size: int):
    return JsonResponse(payload(size))


urlpatterns = [path("bare/<int:size>", bare)]
application = get_wsgi_application()
