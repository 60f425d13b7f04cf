"""The Celery app, and the one place where every periodic schedule is declared."""

import datetime
import logging
import os

from celery import Celery, Task, bootsteps
from celery.schedules import crontab
from celery.signals import worker_init, worker_ready, worker_shutdown

from tracker import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
# Kombu's Redis transport with a fix that keeps workers alive through a Redis restart.
broker.install()

logger = logging.getLogger(__name__)


class DatabaseSafeTask(Task):
    """Every task of a worker starts on a checked database connection, and runs once more on
    a fresh one when the database fails under it (a terminated backend, a failover).

    Celery's Django fix-up closes connections around a task only every CELERY_DB_REUSE_MAX
    tasks and never checks them in between, so after a PostgreSQL restart each worker thread
    failed its next task (beat's sweeper and dispatcher included), minute after minute.
    Every task may run twice: deliveries and checks are claimed, the rest is idempotent.
    """

    def __call__(self, *args, **kwargs):
        if self.request.id is None or self.request.is_eager:
            return super().__call__(*args, **kwargs)  # called in-process (a shell, a test)
        from django.db import close_old_connections

        from tracker.lib.db import write_on_a_live_connection

        # Marks each connection for a health check (CONN_HEALTH_CHECKS) at its first use,
        # and closes those that errored or outlived CONN_MAX_AGE.
        close_old_connections()
        run = super().__call__
        return write_on_a_live_connection(lambda: run(*args, **kwargs), what=self.name)


class BrokerReconnected(bootsteps.StartStopStep):
    """The consumer's steps start again each time the worker finds the broker after losing
    it (a Redis restart): say so in one line, and have the webhook sweeper put back at once
    what the broker lost, rather than after a whole lease."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.starts = 0

    def start(self, parent):
        self.starts += 1
        if self.starts == 1:
            return
        lost_before = datetime.datetime.now(datetime.UTC)
        logger.warning("Reconnected to the broker; re-queueing webhook deliveries it lost")
        parent.app.send_task(
            "tracker.alerts.tasks.deliveries_sweep", kwargs={"lost_before": lost_before.isoformat()}
        )


app = Celery("tracker", task_cls=DatabaseSafeTask)
app.steps["consumer"].add(BrokerReconnected)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# tracker itself is not an installed app; its own tasks are imported by name.
app.conf.imports = ["tracker.tasks"]


@worker_init.connect
def _reconnection_noise_quiet(**kwargs):
    broker.reconnection_noise_quiet()


@worker_ready.connect
def _memory_guard_start(**kwargs):
    from django.conf import settings

    from tracker.lib import memory_guard

    memory_guard.start(settings.WORKER_MAX_RSS_MB, every_seconds=settings.WORKER_RSS_CHECK_SECONDS)


@worker_ready.connect
def _outcome_writer_start(**kwargs):
    """Delivery outcomes are committed by one thread per worker, in small groups."""
    from tracker.alerts.services import outcome_writer

    outcome_writer().start()


@worker_shutdown.connect
def _outcome_writer_drain(**kwargs):
    from tracker.alerts.services import outcome_writer

    outcome_writer().stop()


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
    # Email alerts: the weekly digest, Monday 08:00 (TIME_ZONE; email_services.DIGEST_*
    # must say the same): puts each weekly subscriber's changes of the week on the broker
    # together, so they go out as one mail. The sweeper sends what it misses a lease later.
    "email-digests": {
        "task": "tracker.alerts.tasks.email_digests_send",
        "schedule": crontab(day_of_week=1, hour=8, minute=0),
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
