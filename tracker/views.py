from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from tracker.health import health_report


# Cookie-free: any method gets the report, never CSRF's 403.
@csrf_exempt
@never_cache
def healthz(request):
    report = health_report()
    return JsonResponse(report, status=200 if report["healthy"] else 503)
