from celery import shared_task

from jurisdictions import services


@shared_task(ignore_result=True)
def statuses_promote_due() -> int:
    return len(services.statuses_promote_due())
