"""Extension points of measures: alerts listens here (measures never imports alerts).

Sent inside the transaction that made the change, so a receiver's writes (an outbox row)
commit or roll back with it. Keyword arguments: measure (the Measure), previous_stage ("" for
a new measure).
"""

from django.dispatch import Signal

# A measure about kratom that the public may see appeared, or a measure became public.
measure_created = Signal()
# A public measure moved to another stage.
measure_stage_changed = Signal()
