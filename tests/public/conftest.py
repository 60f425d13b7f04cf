# The public answers read the same fixed-date sample data as the jurisdictions' tests.
from tests.jurisdictions.conftest import _fixed_date_data_stays_current  # noqa: F401
