"""Who may do what, as two groups synced after every migrate (jurisdictions.apps).

Curators read the data and keep the official sources; decisions go through the services.
Operators manage the integrators: API keys and webhook subscriptions (a curator may be
both: `createcurator --operator`). Permissions are named by app label, so this module
imports neither app.
"""

CURATOR_PERMISSIONS = [
    ("jurisdictions", "view_jurisdiction"),
    ("jurisdictions", "view_statusversion"),
    ("jurisdictions", "view_lead"),
    ("jurisdictions", "view_statusapproval"),
    ("jurisdictions", "view_decision"),
    ("jurisdictions", "decide_status"),
    ("monitoring", "view_source"),
    ("monitoring", "add_source"),
    ("monitoring", "change_source"),
    ("monitoring", "view_check"),
    ("monitoring", "view_snapshot"),
    ("monitoring", "view_changeproposal"),
    # Email alert counts and settings; the addresses need alerts.view_email_address,
    # which no group holds (a superuser grants it to a person).
    ("alerts", "view_emailsubscription"),
]

OPERATOR_PERMISSIONS = [
    # A subscription follows jurisdictions, picked in the admin's search box.
    ("jurisdictions", "view_jurisdiction"),
    ("apikeys", "view_apikey"),
    ("apikeys", "add_apikey"),
    ("apikeys", "change_apikey"),
    ("apikeys", "view_apikeyusage"),
    ("alerts", "view_subscription"),
    ("alerts", "add_subscription"),
    ("alerts", "change_subscription"),
    ("alerts", "view_delivery"),
    ("alerts", "change_delivery"),
    ("alerts", "view_event"),
]
