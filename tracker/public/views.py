"""Public pages: thin, each parses input, calls a selector or service, renders."""

import json
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from jurisdictions import selectors, services
from jurisdictions.baseline import BASELINE_TITLES, baseline_paragraphs
from jurisdictions.models import (
    CATEGORY_COVERS,
    RULE_MEANINGS,
    STATUS_MEANINGS,
    Category,
    Rule,
    Status,
)
from jurisdictions.pending import pending_by_category, pending_of
from jurisdictions.pointintime import OnMalformed, as_in_force_on, on_parse
from jurisdictions.rules import STATUS_SYMBOLS, ProductRule, current_rules
from jurisdictions.serializers import pending_data
from jurisdictions.verification import badge_label, verification_of
from tracker.apikeys.forms import KeyRequestForm
from tracker.lib.ratelimit import client_address, rate_limit_hit, same_origin
from tracker.public.forms import CorrectionForm
from tracker.public.responses import public_read
from tracker.public.search import Kind, place_search, territory_code, unlisted_country
from tracker.public.sellers import MAX_BATCH_ITEMS, ZIP_PLACEMENT

MAP_PATH = Path(__file__).parent / "map" / "us_states.json"
STATIC_DIR = Path(__file__).parent / "static" / "public"
# Asked for at the site's root by browsers and crawlers, so not under STATIC_URL.
ROOT_FILES = {"favicon.ico": "image/x-icon", "robots.txt": "text/plain; charset=utf-8"}


@cache
def _map_shapes() -> dict:
    return json.loads(MAP_PATH.read_text(encoding="utf-8"))


def _legend() -> list[dict]:
    return [
        {"status": status, "label": status.label, "meaning": STATUS_MEANINGS[status],
         "symbol": STATUS_SYMBOLS[status]}
        for status in Status
    ]  # fmt: skip


def _rule_legend() -> list[dict]:
    return [{"rule": rule, "label": rule.label, "meaning": RULE_MEANINGS[rule]} for rule in Rule]


def _map_states(states, category: str) -> list[dict]:
    """The committed state shapes joined to each state's rule for one product category,
    for server-side colouring."""
    shapes = _map_shapes()["states"]
    by_code = {state.code: state for state in states}
    drawn = []
    # Drawn, and so reached by Tab, in the order of the names, as the table below lists them.
    for code, shape in sorted(shapes.items(), key=lambda item: item[1]["name"]):
        state = by_code.get(code)
        rule = current_rules(state)[category] if state else ProductRule(category)
        verification = verification_of(state) if state else None
        status = (state.status if state else "") or Status.UNVERIFIED
        stale = verification.stale if verification else False
        drawn.append({"code": code, "abbr": code[3:], "rule": rule, "stale": stale,
                      "said": _map_state_said(code, shape["name"], status, rule, stale),
                      "label": shape["label"], "callout": shape.get("callout"), "d": shape["d"]})  # fmt: skip
    return drawn


def _map_state_said(code: str, name: str, status: str, rule: ProductRule, stale: bool) -> str:
    """A state's accessible name, and its tooltip word for word: one text, so a screen reader
    does not hear the tooltip again as a description. It starts with what the state shows,
    its abbreviation (WCAG 2.5.3), then says its status and its rule for the map's product."""
    said = f"{code[3:]}, {name} ({Status(status).label.lower()}): "
    said += f"{Category(rule.category).label} {rule.answer.lower()}"
    if stale:
        days = settings.VERIFICATION_STALE_DAYS
        said += f"; not verified for more than {days} days, may be out of date"
    return said


@public_read()
def home(request):
    states = selectors.states_with_status()
    # One map view per product category, chosen by a plain link (no JavaScript); leaf first.
    # A map that does not exist is an error the page names (400), over the leaf map.
    asked = request.GET.get("map") or Category.LEAF
    category = asked if asked in Category.values else Category.LEAF
    pending = pending_of(states)
    pending_by_state = {state.code: pending.get(state.pk, []) for state in states}
    context = {
        "unknown_map": None if asked == category else asked[:40],
        "states": states,
        # The map's and the table's "pending" marks: each state's own measures in motion.
        "pending_by_state": pending_by_state,
        "map_pending": {
            state.code: pending_by_category(
                pending_by_state[state.code], {category: current_rules(state)[category]}
            )[category]
            for state in states
        },
        "map_category": Category(category),
        "map_categories": list(Category),
        "map_states": _map_states(states, category),
        "map_viewbox": " ".join(str(n) for n in _map_shapes()["viewBox"]),
        "countries": selectors.countries_with_status(),
        "changes": selectors.changes_list(curator_only=True, limit=10),
        "legend": _legend(),
        "rule_legend": _rule_legend(),
        "categories": list(Category),
        "stale_days": settings.VERIFICATION_STALE_DAYS,
    }
    status = 400 if context["unknown_map"] else 200
    return render(request, "public/home.html", context, status=status)


@public_read()  # cached per query like any page, and under the pages' per-client limit
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    if not query:
        return redirect("public:home")
    result = place_search(query=query)
    if result.kind == Kind.ZIP:
        return redirect(reverse("public:lookup") + "?" + urlencode({"zip": result.zip_code}))
    # A place reached through another name ("Austin, TX" → Texas) shows why, on the results page.
    if result.place and not result.place.via:
        return redirect(result.place.url)
    status = {Kind.NONE: 404, Kind.INVALID_ZIP: 400}.get(result.kind, 200)
    return render(request, "public/search.html", {"result": result}, status=status)


@public_read()
def country_unlisted(request, code):
    """A country we hold no page for: not verified here, and the baseline guidance."""
    listed = selectors.jurisdiction_get(code=territory_code(code.upper()))
    if listed is not None:
        return redirect("public:detail", code=listed.code)
    country = unlisted_country(code)
    if country is None:
        raise Http404(f"{code} is not an ISO 3166-1 country code.")
    context = {"country": country, "baseline": baseline_paragraphs()}
    return render(request, "public/country_unlisted.html", context)


def _jurisdiction_or_404(code: str):
    jurisdiction = selectors.jurisdiction_get(code=code)
    if jurisdiction is None:
        raise Http404(f"No jurisdiction has the code {code}.")
    return jurisdiction


def _bad_on(error: OnMalformed) -> HttpResponse:
    return HttpResponse(f"{error}\n", status=400, content_type="text/plain; charset=utf-8")


@public_read()
def detail(request, code):
    try:
        on = on_parse(request.GET.get("on"))
    except OnMalformed as error:
        return _bad_on(error)
    jurisdiction = _jurisdiction_or_404(code)
    if jurisdiction.code != code:
        return redirect("public:detail", code=jurisdiction.code)
    layers = selectors.jurisdiction_layers(jurisdiction=jurisdiction)
    children = selectors.jurisdiction_children(jurisdiction=jurisdiction)
    if on is not None:
        as_in_force_on([jurisdiction, *layers, *children], on)
    history = selectors.jurisdiction_history(jurisdiction=jurisdiction)
    # A state's page lists its counties' and cities' measures too, and the federal ones.
    pending = pending_of([jurisdiction, *layers, *children])
    context = {
        "j": jurisdiction,
        "held": getattr(jurisdiction, "in_force", None),
        "layers": layers,
        "rule_rows": selectors.jurisdiction_rule_rows(jurisdiction=jurisdiction, layers=layers),
        "sentence": selectors.jurisdiction_sentence(jurisdiction=jurisdiction, layers=layers),
        "children": children,
        "history": history,
        "timeline": selectors.jurisdiction_timeline(
            jurisdiction=jurisdiction, history=history, pending=pending
        ),
        "form": CorrectionForm(),
        "site_url": settings.SITE_URL,
        **_baseline_context(jurisdiction),
    }
    return render(request, "public/detail.html", context)


def _baseline_context(jurisdiction) -> dict:
    if jurisdiction.status != Status.UNVERIFIED:
        return {}
    return {"baseline": baseline_paragraphs()}


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def report(request, code):
    jurisdiction = _jurisdiction_or_404(code)
    if request.method != "POST":
        form = CorrectionForm()
        return render(request, "public/report.html", {"j": jurisdiction, "form": form})
    # The report form is cookie-free (pages stay cacheable): no CSRF token, so check where
    # the POST came from.
    if not same_origin(request):
        return HttpResponseForbidden("Reports are accepted from this site's own form only.")
    wait = rate_limit_hit(
        bucket="correction",
        client=client_address(request),
        limit=settings.CORRECTION_RATE_LIMIT,
        window=settings.CORRECTION_RATE_LIMIT_WINDOW,
    )
    if wait is not None:
        context = {"j": jurisdiction, "form": CorrectionForm(request.POST), "wait": wait}
        response = render(request, "public/report.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        return render(request, "public/report.html", {"j": jurisdiction, "form": form}, status=400)
    if not form.is_bot:
        services.lead_report_correction(
            jurisdiction=jurisdiction,
            summary=form.cleaned_data["summary"],
            source_url=form.cleaned_data["source_url"],
            contact_email=form.cleaned_data["contact_email"],
        )
    return redirect("public:report-thanks", code=jurisdiction.code)


# Cookie-free like every public page: any method gets the page, never CSRF's 403.
@csrf_exempt
def report_thanks(request, code):
    jurisdiction = _jurisdiction_or_404(code)
    return render(request, "public/report_thanks.html", {"j": jurisdiction})


@public_read()
def lookup(request):
    raw = request.GET.get("zip", "")
    try:
        on = on_parse(request.GET.get("on"))
    except OnMalformed as error:
        return _bad_on(error)
    try:
        answer = selectors.zip_lookup(zip_code=raw, on=on)
    except selectors.ZipMalformed as error:
        # A place name typed into the ZIP box ("Denver, CO") still finds its place.
        places = place_search(query=raw).places if raw.strip() else []
        context = {"zip": raw[:20], "error": str(error), "places": places}
        return render(request, "public/lookup_error.html", context, status=400)
    except selectors.ZipUnknown as error:
        context = {"zip": raw[:20], "error": str(error)}
        return render(request, "public/lookup_error.html", context, status=404)
    rules = {category: decided.rule for category, decided in answer.rules.items()}
    context = {"answer": answer, "pending": pending_data(answer.levels, rules)}
    return render(request, "public/lookup.html", context)


@public_read()
def about(request):
    context = {
        "legend": _legend(),
        "rule_legend": _rule_legend(),
        "categories": [{"label": c.label, "covers": CATEGORY_COVERS[c]} for c in Category],
        "baseline": baseline_paragraphs(),
        "baseline_titles": BASELINE_TITLES,
        "contact_email": settings.CONTACT_EMAIL,
    }
    return render(request, "public/about.html", context)


def _spoken_seconds(seconds: int) -> str:
    """3600 → "hour", 7200 → "2 hours", 90 → "90 seconds": a window as the page says it."""
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds % size == 0:
            count = seconds // size
            return unit if count == 1 else f"{count} {unit}s"
    return f"{seconds} seconds"


@public_read()
def sellers(request):
    context = {
        "site_url": settings.SITE_URL,
        "zip_placement": ZIP_PLACEMENT,
        "max_items": f"{MAX_BATCH_ITEMS:,}",
        "public_limit": f"{settings.API_RATE_LIMIT:,}",
        "key_limit": f"{settings.API_KEY_RATE_LIMIT:,}",
        "window": settings.API_RATE_LIMIT_WINDOW,
        "anonymous_check_limit": f"{settings.API_CHECK_ANONYMOUS_LIMIT:,}",
        "anonymous_check_window": _spoken_seconds(settings.API_CHECK_ANONYMOUS_WINDOW),
        "free_quota": f"{settings.API_KEY_FREE_DAILY_QUOTA:,}",
        "link_hours": settings.API_KEY_LINK_MAX_AGE // 3600,
        "contact_email": settings.CONTACT_EMAIL,
        "key_form": KeyRequestForm(),
        "stale_days": settings.VERIFICATION_STALE_DAYS,
    }
    return render(request, "public/sellers.html", context)


@public_read()
def badge(request, code):
    jurisdiction = _jurisdiction_or_404(code)
    verification = verification_of(jurisdiction)
    label = badge_label(jurisdiction, verification)
    context = {
        "j": jurisdiction,
        "label": label,
        "symbol": STATUS_SYMBOLS[jurisdiction.status],
        "stale": bool(verification and verification.stale),
        # Verdana 11px averages about 7 px a character (the symbol and its space: 14 px).
        "left_width": 52,
        "right_width": 26 + 7 * len(label),
    }
    return render(request, "public/badge.svg", context, content_type="image/svg+xml")


@cache
def _root_file(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


@public_read()
def root_file(request, name):
    """/favicon.ico and /robots.txt (everything else static is under STATIC_URL)."""
    return HttpResponse(_root_file(name), content_type=ROOT_FILES[name])
