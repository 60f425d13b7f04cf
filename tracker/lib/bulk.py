"""Many rows in one statement on PostgreSQL: each column sent as an array, unnest() turning
the arrays back into rows, so the statement is the same for one row or a hundred.

Building multi-row INSERTs and UPDATEs through the ORM costs a worker more CPU than the
requests whose outcomes they record. The values are prepared by the fields themselves
(pre_save, get_db_prep_save), as the ORM's would be, except where that changes nothing.
"""

from django.db import connection, models

# Fields whose values psycopg sends as they are: ints, bools, strings, aware datetimes (on
# PostgreSQL Django adapts these to themselves). Preparing them one by one through the
# field was a worker's largest cost in writing a group of outcomes.
_SENT_AS_THEY_ARE = (
    models.IntegerField,
    models.BooleanField,
    models.CharField,
    models.TextField,
    models.DateTimeField,
    models.ForeignKey,
)


def arrays_sql(fields) -> str:
    """The placeholders of one typed array per field: `%s::integer[], %s::text[]`."""
    return ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)


def column_values(fields, objects, *, add: bool) -> list[list]:
    """One list of prepared values per field, in the objects' order (`add`: as for an
    INSERT, so auto_now_add fields are set)."""
    columns = []
    for field in fields:
        values = [field.pre_save(obj, add) for obj in objects]
        if not isinstance(field, _SENT_AS_THEY_ARE):
            values = [field.get_db_prep_save(value, connection) for value in values]
        columns.append(values)
    return columns
