from celery import shared_task

from tracker.health import beat_tick_record


@shared_task(ignore_result=True)
def beat_heartbeat() -> None:
    beat_tick_record()
