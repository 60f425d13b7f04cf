"""Public pages: thin, each parses input, calls a selector or service, renders."""

import json
from functools import cache
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from jurisdictions import selectors, services
from jurisdictions.baseline import BASELINE_PROVENANCE, baseline_paragraphs
from jurisdictions.forms import CorrectionForm
from jurisdictions.models import STATUS_MEANINGS, Status
from jurisdictions.ratelimit import client_address, rate_limit_hit
from jurisdictions.responses import public_read
from jurisdictions.templatetags.status_format import STATUS_SYMBOLS

MAP_PATH = Path(__file__).parent / "map" / "us_states.json"


@cache
def _map_shapes() -> dict:
    return json.loads(MAP_PATH.read_text(encoding="utf-8"))


def _legend() -> list[dict]:
    return [
        {"status": status, "label": status.label, "meaning": STATUS_MEANINGS[status],
         "symbol": STATUS_SYMBOLS[status]}
        for status in Status
    ]  # fmt: skip


def _map_states(states) -> list[dict]:
    """The committed state shapes joined to each state's status, for server-side colouring."""
    shapes = _map_shapes()["states"]
    by_code = {state.code: state for state in states}
    drawn = []
    for code, shape in shapes.items():
        state = by_code.get(code)
        status = state.status if state else Status.UNVERIFIED
        drawn.append({"code": code, "abbr": code[3:], "name": shape["name"], "status": status,
                      "label": shape["label"], "callout": shape.get("callout"), "d": shape["d"]})  # fmt: skip
    return drawn


@public_read()
def home(request):
    states = selectors.states_with_status()
    context = {
        "states": states,
        "map_states": _map_states(states),
        "map_viewbox": " ".join(str(n) for n in _map_shapes()["viewBox"]),
        "countries": selectors.countries_with_status(),
        "changes": selectors.changes_list(curator_only=True, limit=10),
        "legend": _legend(),
    }
    return render(request, "jurisdictions/home.html", context)


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    if not query:
        return redirect("jurisdictions:home")
    result = selectors.jurisdiction_search(query=query)
    if result.zip_code:
        return redirect(reverse("jurisdictions:lookup") + "?" + urlencode({"zip": result.zip_code}))
    if result.jurisdiction:
        return redirect("jurisdictions:detail", code=result.jurisdiction.code)
    status = 200 if result.candidates else 404
    context = {"query": query, "candidates": result.candidates}
    return render(request, "jurisdictions/search.html", context, status=status)


def _jurisdiction_or_404(code: str):
    jurisdiction = selectors.jurisdiction_get(code=code)
    if jurisdiction is None:
        raise Http404(f"No jurisdiction has the code {code}.")
    return jurisdiction


@public_read()
def detail(request, code):
    jurisdiction = _jurisdiction_or_404(code)
    if jurisdiction.code != code:
        return redirect("jurisdictions:detail", code=jurisdiction.code)
    context = {
        "j": jurisdiction,
        "children": selectors.jurisdiction_children(jurisdiction=jurisdiction),
        "history": selectors.jurisdiction_history(jurisdiction=jurisdiction),
        "form": CorrectionForm(),
        "site_url": settings.SITE_URL,
        **_baseline_context(jurisdiction),
    }
    return render(request, "jurisdictions/detail.html", context)


def _baseline_context(jurisdiction) -> dict:
    if jurisdiction.status != Status.UNVERIFIED:
        return {}
    return {"baseline": baseline_paragraphs(), "baseline_provenance": BASELINE_PROVENANCE}


def _same_origin(request) -> bool:
    """The report form is cookie-free (pages stay cacheable), so check where the POST came from."""
    origin = request.META.get("HTTP_ORIGIN")
    return origin is None or urlsplit(origin).netloc == request.get_host()


@csrf_exempt
def report(request, code):
    jurisdiction = _jurisdiction_or_404(code)
    if request.method != "POST":
        form = CorrectionForm()
        return render(request, "jurisdictions/report.html", {"j": jurisdiction, "form": form})
    if not _same_origin(request):
        return HttpResponseForbidden("Reports are accepted from this site's own form only.")
    wait = rate_limit_hit(
        bucket="correction",
        client=client_address(request),
        limit=settings.CORRECTION_RATE_LIMIT,
        window=settings.CORRECTION_RATE_LIMIT_WINDOW,
    )
    if wait is not None:
        context = {"j": jurisdiction, "form": CorrectionForm(request.POST), "wait": wait}
        response = render(request, "jurisdictions/report.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        return render(
            request, "jurisdictions/report.html", {"j": jurisdiction, "form": form}, status=400
        )
    if not form.is_bot:
        services.lead_report_correction(
            jurisdiction=jurisdiction,
            summary=form.cleaned_data["summary"],
            source_url=form.cleaned_data["source_url"],
            contact_email=form.cleaned_data["contact_email"],
        )
    return redirect("jurisdictions:report-thanks", code=jurisdiction.code)


def report_thanks(request, code):
    jurisdiction = _jurisdiction_or_404(code)
    return render(request, "jurisdictions/report_thanks.html", {"j": jurisdiction})


@public_read()
def lookup(request):
    raw = request.GET.get("zip", "")
    try:
        answer = selectors.zip_lookup(zip_code=raw)
    except selectors.ZipMalformed as error:
        context = {"zip": raw[:20], "error": str(error)}
        return render(request, "jurisdictions/lookup_error.html", context, status=400)
    except selectors.ZipUnknown as error:
        context = {"zip": raw[:20], "error": str(error)}
        return render(request, "jurisdictions/lookup_error.html", context, status=404)
    return render(request, "jurisdictions/lookup.html", {"answer": answer})


@public_read()
def about(request):
    context = {
        "legend": _legend(),
        "baseline": baseline_paragraphs(),
        "baseline_provenance": BASELINE_PROVENANCE,
    }
    return render(request, "jurisdictions/about.html", context)


@public_read()
def badge(request, code):
    jurisdiction = _jurisdiction_or_404(code)
    label = Status(jurisdiction.status).label.lower()
    context = {
        "j": jurisdiction,
        "label": label,
        # Verdana 11px averages about 7 px a character; the badge widens with the text.
        "left_width": 52,
        "right_width": 12 + 7 * len(label),
    }
    return render(request, "jurisdictions/badge.svg", context, content_type="image/svg+xml")
