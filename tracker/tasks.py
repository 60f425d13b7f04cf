from celery import shared_task

from tracker.health import beat_tick_record
from tracker.monitoring import services as monitoring_services


@shared_task(ignore_result=True)
def beat_heartbeat() -> None:
    beat_tick_record()


@shared_task(ignore_result=True)
def curators_digest_send() -> int:
    return monitoring_services.curators_digest_send()
