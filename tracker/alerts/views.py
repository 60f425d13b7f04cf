"""Email alerts' public pages: subscribe, confirm, manage, unsubscribe.

Cookie-free (no session, no CSRF token, so exempt from Django's check), like the API key
request: forms are checked by origin and rate-limited per client (and per address in the
service); the subscribe answer is the same whether or not the address already has alerts.
Links in mails carry the subscription's key, so nothing needs a login or a cookie.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tracker.alerts import email_services
from tracker.alerts.forms import ManageForm, SubscribeForm
from tracker.alerts.models import EmailSubscription
from tracker.lib.ratelimit import client_address, rate_limit_hit, same_origin

log = logging.getLogger(__name__)
FOREIGN_POST = "Alerts are requested from this site's own pages only."
# A subscribe form is well under 2 KB; anything far larger is not one.
MAX_FORM_BYTES = 8 * 1024


def _bad(request, message: str, status: int = 400):
    return render(request, "alerts/problem.html", {"message": message}, status=status)


@csrf_exempt
@never_cache
@require_POST
def subscribe(request):
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_FORM_BYTES:
        return _bad(request, "That request is too large to be a subscribe form.")
    if not same_origin(request):
        return HttpResponseForbidden(FOREIGN_POST)
    wait = rate_limit_hit(
        bucket="alerts-subscribe",
        client=client_address(request),
        limit=settings.EMAIL_ALERT_RATE_LIMIT,
        window=settings.EMAIL_ALERT_RATE_LIMIT_WINDOW,
    )
    if wait is not None:
        response = _bad(request, f"Too many requests; try again in {wait} seconds.", 429)
        response["Retry-After"] = str(wait)
        return response
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "alerts/subscribe_error.html", {"form": form}, status=400)
    if not form.is_bot:
        try:
            email_services.email_subscribe_request(request=_alert_request(form.cleaned_data))
        except ValidationError as exc:
            return _bad(request, " ".join(exc.messages))
        except OSError:  # smtplib's errors are OSErrors
            log.exception("Could not send an alerts confirmation mail")
            return _bad(request, "We could not send the mail just now; try again later.", 503)
    return redirect("alerts:sent")


def _alert_request(data: dict) -> email_services.AlertRequest:
    return email_services.AlertRequest(
        email=data["email"],
        codes=[data["place"].upper()] if data["place"] else [],
        zip_code=data["zip_code"],
        categories=data["categories"],
        frequency=data["frequency"],
        measure_stages=data["measure_stages"],
    )


# Cookie-free like every public page: any method gets the page, never CSRF's 403.
@csrf_exempt
@never_cache
def sent(request):
    context = {"hours": settings.EMAIL_ALERT_LINK_MAX_AGE // 3600}
    return render(request, "alerts/sent.html", context)


@csrf_exempt
@never_cache
def confirm(request, token):
    """GET shows what the link asks for and a button; POST confirms. (A GET changes nothing:
    mail scanners open links.)"""
    try:
        alert_request = email_services.email_request_read(token=token)
    except email_services.LinkInvalid:
        return _bad(request, "This confirmation link is expired or incomplete. Subscribe again.")
    if request.method != "POST":
        return render(request, "alerts/confirm.html", {"alert": alert_request})
    if not same_origin(request):
        return HttpResponseForbidden(FOREIGN_POST)
    try:
        subscription = email_services.email_subscription_confirm(token=token)
    except email_services.LinkUsed:
        return _bad(request, "This confirmation link was already used; your alerts are on.", 410)
    except ValidationError as exc:
        return _bad(request, " ".join(exc.messages))
    return redirect("alerts:manage", key=subscription.key)


def _subscription(key) -> EmailSubscription:
    subscription = EmailSubscription.objects.filter(key=key).first()
    if subscription is None:
        raise Http404("No alerts with this link: they were deleted, or the link is incomplete.")
    return subscription


@csrf_exempt
@never_cache
def manage(request, key):
    subscription = _subscription(key)
    follows = list(subscription.follows.order_by("name"))
    choices = [(j.code, j.name) for j in follows]
    initial = {
        "places": [j.code for j in follows],
        "categories": subscription.categories,
        "frequency": subscription.frequency,
        "measure_stages": subscription.measure_stages,
    }
    form = ManageForm(initial=initial, place_choices=choices)
    saved = False
    if request.method == "POST":
        if not same_origin(request):
            return HttpResponseForbidden(FOREIGN_POST)
        form = ManageForm(request.POST, place_choices=choices)
        if form.is_valid():
            email_services.email_subscription_update(
                subscription=subscription,
                codes=form.cleaned_data["places"],
                categories=form.cleaned_data["categories"],
                frequency=form.cleaned_data["frequency"],
                measure_stages=form.cleaned_data["measure_stages"],
            )
            saved = True
    context = {"subscription": subscription, "form": form, "saved": saved}
    return render(request, "alerts/manage.html", context, status=400 if form.errors else 200)


@csrf_exempt
@never_cache
def unsubscribe(request, key):
    """RFC 8058: a POST (the mail client's one-click, or the page's button) deletes the alerts
    with no cookie or login; a GET only shows the button, so link scanners unsubscribe nobody."""
    if request.method != "POST":
        context = {"subscription": _subscription(key)}
        return render(request, "alerts/unsubscribe.html", context)
    email_services.email_subscription_delete(key=key)
    return render(request, "alerts/unsubscribed.html")
