"""The Celery app, and the one place where every periodic schedule is declared."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready

from tracker import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
# Kombu's Redis transport with a fix that keeps workers alive through a Redis restart.
broker.install()

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# tracker itself is not an installed app; its own tasks are imported by name.
app.conf.imports = ["tracker.tasks"]


@worker_ready.connect
def _memory_guard_start(**kwargs):
    from django.conf import settings

    from tracker.lib import memory_guard

    memory_guard.start(settings.WORKER_MAX_RSS_MB, every_seconds=settings.WORKER_RSS_CHECK_SECONDS)


app.conf.beat_schedule = {
    # Records that beat is alive; /healthz reports its age.
    "beat-heartbeat": {"task": "tracker.tasks.beat_heartbeat", "schedule": 60.0},
    # Makes upcoming status versions current on their effective date. Hourly, so a
    # restart near midnight still promotes on the right day; the service is idempotent.
    "statuses-promote-due": {
        "task": "jurisdictions.tasks.statuses_promote_due",
        "schedule": crontab(minute=5),
    },
    # Queues a check of every source that is due. Every minute, so a source is checked
    # within a minute of its time; the service claims rows with SKIP LOCKED and a lease,
    # so overlapping ticks or a second beat never queue a source twice.
    "monitoring-dispatch": {
        "task": "tracker.monitoring.tasks.sources_dispatch_due",
        "schedule": 60.0,
    },
    # Deletes checks older than MONITORING_CHECK_RETENTION_DAYS. Daily is enough: the
    # retention is counted in days.
    "monitoring-purge-checks": {
        "task": "tracker.monitoring.tasks.checks_purge",
        "schedule": crontab(hour=3, minute=17),
    },
    # Emails curators what waits (pending changes, approvals, leads, broken sources).
    # Daily at 07:00 (TIME_ZONE): one read before the working day, not a stream of mail.
    "curators-digest": {
        "task": "tracker.monitoring.tasks.curators_digest_send",
        "schedule": crontab(hour=7, minute=0),
    },
    # Webhooks: puts due deliveries back on the broker (retries kept in the database, and
    # any message lost with a worker or with Redis). Every minute: the first retry is 5 s
    # (sent with a short countdown), later ones are minutes to hours apart.
    "webhooks-sweep": {"task": "tracker.alerts.tasks.deliveries_sweep", "schedule": 60.0},
    # Webhooks: deletes delivery log rows older than WEBHOOK_LOG_RETENTION_DAYS. Daily is
    # enough for a retention counted in days; 03:17 keeps it off the top of the hour.
    "webhooks-purge-log": {
        "task": "tracker.alerts.tasks.attempts_purge",
        "schedule": crontab(hour=3, minute=17),
    },
    # Measures: each provider reads what changed since its last run, once a day, at its own
    # time. Daily fits the tightest limit (Open States' default key: 250 requests a day; a
    # run over the 52 jurisdictions costs about 55) and bills move in days, not hours. A
    # provider without its key returns at once; a run claims its provider, so a late or
    # duplicate tick never overlaps a running one.
    **{
        f"measures-sync-{provider}": {
            "task": "tracker.measures.tasks.measures_sync",
            "schedule": crontab(hour=4, minute=minute),
            "args": (provider,),
        }
        for provider, minute in [
            ("federal_register", 5),
            ("congress", 20),
            ("openstates", 35),
            ("legiscan", 50),
        ]
    },
}
