"""One absolute deadline for a piece of outbound work, set once and passed down.

A source check sets it when its turn at the host comes and hands the same object to the fetch
and the extraction; a webhook delivery sets one per request. Nothing below recomputes it.
"""

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Deadline:
    at: float  # time.monotonic() when the work must be over
    seconds: float  # the budget it was set with, for messages

    @classmethod
    def after(cls, seconds: float) -> "Deadline":
        return cls(time.monotonic() + seconds, seconds)

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def passed(self) -> bool:
        return time.monotonic() >= self.at
