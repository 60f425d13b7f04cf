"""Writes of the alerts app, one module per job:

- subscriptions: webhook subscriptions (create, rotate a secret, disable, enable, replay);
- outbox: events recorded with their change, and the deliveries they make;
- delivery: claiming and sending deliveries, the outcome writer, retries and the sweeper.

Email subscriptions have their own module beside this package (email_services.py). The
names below are the ones other modules use; import from the module that owns a name.
"""

from tracker.alerts.services.delivery import (
    OutcomeWriter,
    Sends,
    attempts_purge,
    deliveries_send,
    deliveries_sweep,
    outcome_writer,
    retry_delay,
)
from tracker.alerts.services.outbox import (
    deliveries_enqueue,
    event_body,
    measure_event_record,
    status_event_record,
)
from tracker.alerts.services.subscriptions import (
    curators_tell_disabled,
    delivery_resend,
    secret_generate,
    subscription_create,
    subscription_disable,
    subscription_enable,
    subscription_ping,
    subscription_replay,
    subscription_rotate_secret,
    subscription_secrets,
    subscription_url_check,
)

__all__ = [
    "OutcomeWriter",
    "Sends",
    "attempts_purge",
    "curators_tell_disabled",
    "deliveries_enqueue",
    "deliveries_send",
    "deliveries_sweep",
    "delivery_resend",
    "event_body",
    "measure_event_record",
    "outcome_writer",
    "retry_delay",
    "secret_generate",
    "status_event_record",
    "subscription_create",
    "subscription_disable",
    "subscription_enable",
    "subscription_ping",
    "subscription_replay",
    "subscription_rotate_secret",
    "subscription_secrets",
    "subscription_url_check",
]
