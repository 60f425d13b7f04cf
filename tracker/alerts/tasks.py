"""Thin Celery tasks: they take ids and call one service each."""

import datetime

from celery import shared_task

from tracker.alerts import email_services, services


@shared_task(ignore_result=True)
def deliveries_send(delivery_ids: list[int]) -> int:
    return services.deliveries_send(delivery_ids=delivery_ids)


@shared_task(ignore_result=True)
def deliveries_sweep(lost_before: str | None = None) -> int:
    """lost_before (ISO 8601): when a worker found the broker again after losing it."""
    moment = datetime.datetime.fromisoformat(lost_before) if lost_before else None
    return services.deliveries_sweep(lost_before=moment)


@shared_task(ignore_result=True)
def attempts_purge() -> int:
    return services.attempts_purge()


@shared_task(ignore_result=True)
def email_digests_send() -> int:
    return email_services.email_digests_send()
