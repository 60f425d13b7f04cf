from django import template

from tracker.alerts.forms import SubscribeForm

register = template.Library()


@register.inclusion_tag("alerts/_subscribe_form.html")
def alerts_subscribe(*, place=None, zip_code: str = ""):
    """The subscribe form for a place page (`place`) or a ZIP answer (`zip_code`): the same
    for every visitor, so the page stays one cached body."""
    initial = {"place": place.code if place else "", "zip_code": zip_code}
    where = place.name if place else f"ZIP {zip_code} (every place that answers for it)"
    return {"form": SubscribeForm(initial=initial), "where": where}
