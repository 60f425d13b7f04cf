"""What the Curators group may do: read the data; decisions go through the services."""

CURATOR_PERMISSIONS = [
    ("jurisdictions", "view_jurisdiction"),
    ("jurisdictions", "view_statusversion"),
    ("jurisdictions", "view_lead"),
    ("jurisdictions", "view_statusapproval"),
    ("jurisdictions", "view_decision"),
    ("jurisdictions", "decide_status"),
    ("monitoring", "view_source"),
    ("monitoring", "view_check"),
    ("monitoring", "view_snapshot"),
    ("monitoring", "view_changeproposal"),
]
