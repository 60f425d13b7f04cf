"""Bad webhook settings stop the process with a message naming the variable."""

import pytest

from tests.test_settings import _start


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WEBHOOK_RETRY_SCHEDULE": "5,soon"}, "WEBHOOK_RETRY_SCHEDULE must list whole seconds"),
        ({"WEBHOOK_RETRY_SCHEDULE": ""}, "WEBHOOK_RETRY_SCHEDULE must list at least one delay"),
        ({"WEBHOOK_RETRY_JITTER": "1.5"}, "WEBHOOK_RETRY_JITTER must be a fraction"),
        ({"WEBHOOK_LEASE_SECONDS": "20"}, "WEBHOOK_LEASE_SECONDS must be more than twice"),
        ({"WEBHOOK_SEND_CONCURRENCY": "0"}, "WEBHOOK_SEND_CONCURRENCY must be at least 1"),
    ],
)
def test_a_bad_webhook_setting_names_the_variable(env, message):
    result = _start(**env)
    assert result.returncode != 0
    assert message in result.stderr
