"""The self-serve API key: a request on /sellers/, a link by mail, the key shown once.

Cookie-free public pages (no session, no CSRF token, so exempt from Django's check): the
forms are checked by Origin, rate-limited per client (and per address in the service), and
the request's answer is the same whether or not the address already has a key.
"""

import logging

from django.conf import settings
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from tracker.apikeys import services
from tracker.apikeys.forms import KeyRequestForm
from tracker.lib.ratelimit import client_address, rate_limit_hit, same_origin

log = logging.getLogger(__name__)
FOREIGN_POST = "API keys are requested from this site's own form only."


def _request_page(request, form, *, status: int, **context):
    return render(request, "apikeys/request.html", {"form": form, **context}, status=status)


@csrf_exempt
@never_cache
def key_request(request):
    if request.method != "POST":
        return redirect(reverse("public:sellers") + "#key")  # the form lives there
    if not same_origin(request):
        return HttpResponseForbidden(FOREIGN_POST)
    form = KeyRequestForm(request.POST)
    wait = rate_limit_hit(
        bucket="keyrequest",
        client=client_address(request),
        limit=settings.API_KEY_REQUEST_RATE_LIMIT,
        window=settings.API_KEY_REQUEST_RATE_LIMIT_WINDOW,
    )
    if wait is not None:
        response = _request_page(request, form, status=429, wait=wait)
        response["Retry-After"] = str(wait)
        return response
    if not form.is_valid():
        return _request_page(request, form, status=400)
    if not form.is_bot:
        try:
            services.apikey_request(
                email=form.cleaned_data["email"], name=form.cleaned_data["name"]
            )
        except OSError:  # smtplib's errors are OSErrors
            log.exception("Could not send an API key confirmation mail")
            return _request_page(request, form, status=503, mail_failed=True)
    return redirect("apikeys:sent")


# Cookie-free like every public page: any method gets the page, never CSRF's 403.
@csrf_exempt
@never_cache
def key_request_sent(request):
    context = {"hours": settings.API_KEY_LINK_MAX_AGE // 3600}
    return render(request, "apikeys/sent.html", context)


@csrf_exempt
@never_cache
def key_confirm(request, token):
    """GET shows what the link asks for and a button; POST makes the key and shows it once.
    (A GET never makes the key: mail scanners open links.)"""
    try:
        key_request = services.apikey_request_read(token=token)
    except services.KeyLinkInvalid:
        return render(request, "apikeys/link_invalid.html", status=400)
    if request.method != "POST":
        return render(request, "apikeys/confirm.html", {"key_request": key_request})
    if not same_origin(request):
        return HttpResponseForbidden(FOREIGN_POST)
    try:
        created = services.apikey_self_serve_create(token=token)
    except services.KeyLinkUsed:
        return render(request, "apikeys/link_used.html", status=410)
    context = {
        "created": created,
        "quota": f"{created.key.daily_quota:,}",
        "site_url": settings.SITE_URL,
    }
    return render(request, "apikeys/key.html", context)
