"""Many rows in one statement on PostgreSQL: each column sent as an array, unnest() turning
the arrays back into rows, so the statement is the same for one row or a hundred.

Building multi-row INSERTs and UPDATEs through the ORM costs a worker more CPU than the
requests whose outcomes they record. The values are prepared by the fields themselves
(pre_save, get_db_prep_save), as the ORM's would be.
"""

from django.db import connection


def arrays_sql(fields) -> str:
    """The placeholders of one typed array per field: `%s::integer[], %s::text[]`."""
    return ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)


def column_values(fields, objects, *, add: bool) -> list[list]:
    """One list of prepared values per field, in the objects' order (`add`: as for an
    INSERT, so auto_now_add fields are set)."""
    return [
        [field.get_db_prep_save(field.pre_save(obj, add), connection) for obj in objects]
        for field in fields
    ]
