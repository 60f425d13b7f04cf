from django.shortcuts import render

from jurisdictions.models import Jurisdiction


def home(request):
    states = Jurisdiction.objects.states().with_status().order_by("name")
    return render(request, "jurisdictions/home.html", {"states": states})
