"""Thin Celery tasks: they take ids and call one service each."""

from celery import shared_task

from tracker.alerts import services


@shared_task(ignore_result=True)
def deliveries_send(delivery_ids: list[int]) -> int:
    return services.deliveries_send(delivery_ids=delivery_ids)


@shared_task(ignore_result=True)
def deliveries_sweep() -> int:
    return services.deliveries_sweep()


@shared_task(ignore_result=True)
def attempts_purge() -> int:
    return services.attempts_purge()
