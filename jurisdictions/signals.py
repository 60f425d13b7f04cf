"""Extension points of this app: the apps that build on it (alerts, monitoring) listen here.

Both are sent inside the transaction that made the change, so a receiver's writes commit or
roll back with it; a receiver that raises undoes the change.
"""

from django.dispatch import Signal

# A status version was recorded or became current. Keyword arguments: jurisdiction_id,
# version (the StatusVersion), previous_id (the current version before), became_current.
status_changed = Signal()

# A second curator approved a confirmation and its version was recorded. Keyword
# arguments: approval (the StatusApproval), version (the recorded StatusVersion).
approval_approved = Signal()
