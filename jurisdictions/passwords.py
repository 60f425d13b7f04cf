"""A curator's one-time password (createcurator --one-time-password) must be changed first.

At login the session notes whether the password used is still the one-time one; while it
is, every admin page but the password change (and logout) redirects there. Only such a
session costs anything: the others pay neither a query nor a lookup per request.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from jurisdictions.models import OneTimePassword
from jurisdictions.services.curators import one_time_password_forget

SESSION_KEY = "one_time_password_hash"
ALLOWED_URL_NAMES = ("admin:password_change", "admin:password_change_done", "admin:logout")


def one_time_password_on_login(sender, request, user, **kwargs):
    """Receives user_logged_in (apps.py): note a login with the one-time password."""
    one_time = OneTimePassword.objects.filter(user=user, password_hash=user.password)
    if request is not None and one_time.exists():
        request.session[SESSION_KEY] = user.password


class OneTimePasswordMiddleware:
    """The admin sends a user still on their one-time password to the password change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The path first: reading the session would make every public answer Vary: Cookie.
        if not request.path.startswith("/admin/"):
            return self.get_response(request)
        noted = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if noted is None:
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated or user.password != noted:  # changed since
            del request.session[SESSION_KEY]
            if user.is_authenticated:
                one_time_password_forget(user=user)
            return self.get_response(request)
        if request.path in {reverse(name) for name in ALLOWED_URL_NAMES}:
            return self.get_response(request)
        messages.info(
            request,
            "Choose your own password before going on: the one you were given was for your "
            "first login only.",
        )
        return redirect("admin:password_change")
