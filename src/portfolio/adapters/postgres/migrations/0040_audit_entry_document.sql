-- One audit entry as JSON, its columns named as the AuditEntry fields: the page of
-- GET /api/audit/ picks its ids from an index and builds only those (adapters/postgres/pages.py).
CREATE FUNCTION audit_entry_document(entry_id bigint) RETURNS json
LANGUAGE sql STABLE
AS $$
    SELECT to_json(a) FROM audit_log a WHERE a.id = entry_id
$$;
