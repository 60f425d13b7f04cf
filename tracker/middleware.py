"""Security headers Django 5.2 does not set itself (SecurityMiddleware covers HSTS,
nosniff and Referrer-Policy)."""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Content-Security-Policy on every response: no inline scripts, no third parties."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY
        # Django's admin widgets set inline style attributes; scripts stay 'self' only.
        self.admin_policy = self.policy.replace(
            "style-src 'self'", "style-src 'self' 'unsafe-inline'"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            admin = request.path.startswith("/admin/")
            policy = self.admin_policy if admin else self.policy
            response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(), camera=(), microphone=()"
        )
        return response
