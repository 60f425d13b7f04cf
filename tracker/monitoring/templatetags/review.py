from django import template

from jurisdictions.selectors import user_is_curator
from tracker.monitoring import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def curator_counts(context):
    """What waits for curators, for the admin index; None for anyone else."""
    request = context.get("request")
    if request is None or not user_is_curator(request.user):
        return None
    return selectors.curator_counts()
