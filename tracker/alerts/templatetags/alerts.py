from django import template

from tracker.alerts.forms import SubscribeForm

register = template.Library()


@register.inclusion_tag("alerts/_subscribe_form.html")
def alerts_subscribe(*, place=None, zip_code: str = "", places=None, chosen: str = ""):
    """The subscribe form for a place page (`place`), a ZIP answer (`zip_code`), or a list
    of `places` to pick from (`chosen` picked first): the same for every visitor, so the
    page stays one cached body."""
    if places is not None:
        choices = [("", "Choose a place"), *((j.code, j.name) for j in places)]
        form = SubscribeForm(initial={"place": chosen or ""}, place_choices=choices)
        return {"form": form, "where": "the place you choose"}
    initial = {"place": place.code if place else "", "zip_code": zip_code}
    where = place.name if place else f"ZIP {zip_code} (every place that answers for it)"
    return {"form": SubscribeForm(initial=initial), "where": where}
