from celery import shared_task

from jurisdictions.services import statuses


@shared_task(ignore_result=True)
def statuses_promote_due() -> int:
    return len(statuses.statuses_promote_due())
