"""The exports' text built by SQLite itself: each CSV line and each JSON record in C, so
Python only joins a page of finished lines and writes it as one block.

The CSV line lives in the date index (migration 10: a VIRTUAL generated column, stored only in
the index), so a whole-history export reads that index front to back and computes nothing;
the JSON record is built per row from the same (covering) index. Both must be byte for byte
what `domain.export_rows` writes (csv.writer, QUOTE_MINIMAL, "\\r\\n"; json with ", " and ": "):
tests/contract/test_export_text.py compares them on awkward text."""

from __future__ import annotations

# The API's amount text from minor units: money.minor_text (queries._amount_text_sql builds
# the same from MINOR_UNITS; a test keeps the two equal). Frozen here because migration 10
# stores lines made with it: a change of a currency's digits needs a new migration.
AMOUNT_TEXT = (
    "CASE WHEN currency IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', "
    "'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN CAST(amount_minor AS TEXT) "
    "WHEN currency IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') "
    "THEN printf('%d.%03d', amount_minor / 1000, amount_minor % 1000) "
    "WHEN currency IN ('CLF', 'UYW') "
    "THEN printf('%d.%04d', amount_minor / 10000, amount_minor % 10000) "
    "ELSE printf('%d.%02d', amount_minor / 100, amount_minor % 100) END"
)


def _utc(column: str) -> str:
    """The stored ISO text as the API writes it ("+00:00" as "Z")."""
    return f"replace({column}, '+00:00', 'Z')"


def _csv_cell(column: str) -> str:
    """csv_format.neutralise (a leading = + - @ TAB CR gets a "'"), then csv.writer's
    QUOTE_MINIMAL: quoted, inner quotes doubled, when it holds a comma, a quote, CR or LF."""
    neutral = (
        f"CASE WHEN substr({column}, 1, 1) IN ('=', '+', '-', '@', char(9), char(13)) "
        f"THEN '''' || {column} ELSE {column} END"
    )
    needs_quotes = " OR ".join(
        f"instr({column}, {needle}) > 0" for needle in ("','", "'\"'", "char(13)", "char(10)")
    )
    return (
        f"CASE WHEN {needs_quotes} THEN '\"' || replace({neutral}, '\"', '\"\"') || '\"' "
        f"ELSE {neutral} END"
    )


# One CSV line of export_rows.csv_blocks (csv_format.HEADER's columns), "\r\n" included.
CSV_LINE = (
    "printf('%s,%s,%s,%s,%s,%s,%s,%s,%s' || char(13, 10), id, spent_on, "
    f"{AMOUNT_TEXT}, currency, {_csv_cell('category')}, {_csv_cell('description')}, "
    "CASE WHEN receipt_content_type IS NULL THEN 'false' ELSE 'true' END, "
    f"{_utc('created_at')}, {_utc('updated_at')})"
)


_RECEIPT = (
    "CASE WHEN receipt_content_type IS NULL THEN 'null' ELSE printf("
    '\'{"content_type": %s, "size": %s, "uploaded_at": %s}\', '
    f"json_quote(receipt_content_type), json_quote(receipt_size), "
    f"json_quote({_utc('receipt_uploaded_at')})) END"
)

# One record of export_rows.json_blocks (json_record with json.dumps's ", " and ": "), without
# the separator between two. Text a user or another system chose goes through json_quote,
# which escapes exactly as json.dumps(ensure_ascii=False) does; the amount, currency, date
# and moments are the app's own fixed formats ([0-9.], [A-Z], ISO), written as they are.
JSON_RECORD = (
    'printf(\'{"id": %s, "amount": "%s", "currency": "%s", "category": %s, '
    '"description": %s, "date": "%s", "receipt": %s, "created_at": "%s", '
    '"updated_at": "%s", "version": %d, "recurring_id": %s}\', '
    "json_quote(id), export_amount, currency, json_quote(category), json_quote(description), "
    f"spent_on, {_RECEIPT}, {_utc('created_at')}, {_utc('updated_at')}, version, "
    "json_quote(recurring_id))"
)

# The selects of a page of the export, with the keyset columns (spent_on, id) last.
CSV_SELECT = "SELECT export_csv, spent_on, id FROM expenses"
JSON_SELECT = f"SELECT {JSON_RECORD}, spent_on, id FROM expenses"
