-- Documents one id at a time, for pages. Joined to a list of ids, the *_documents views
-- (0001) make Postgres build the nested document of every row before the join, as their
-- LATERAL aggregates are not pushed down to the ids; a function called for each chosen id
-- builds those documents and no other. PL/pgSQL keeps each function's plan for the session.
-- STABLE: a call sees the snapshot of the statement that calls it, so a page is consistent.

CREATE FUNCTION portfolio_document(wanted bigint) RETURNS json
LANGUAGE plpgsql STABLE STRICT
AS $$ BEGIN RETURN (SELECT doc FROM portfolio_documents WHERE id = wanted); END $$;

CREATE FUNCTION media_document(wanted bigint) RETURNS json
LANGUAGE plpgsql STABLE STRICT
AS $$ BEGIN RETURN (SELECT doc FROM media_documents WHERE id = wanted); END $$;

CREATE FUNCTION employer_document(wanted bigint) RETURNS json
LANGUAGE plpgsql STABLE STRICT
AS $$ BEGIN RETURN (SELECT doc FROM employer_documents WHERE id = wanted); END $$;

CREATE FUNCTION tag_document(wanted bigint) RETURNS json
LANGUAGE plpgsql STABLE STRICT
AS $$ BEGIN RETURN (SELECT doc FROM tag_documents WHERE id = wanted); END $$;

CREATE FUNCTION link_document(wanted bigint) RETURNS json
LANGUAGE plpgsql STABLE STRICT
AS $$ BEGIN RETURN (SELECT doc FROM link_documents WHERE id = wanted); END $$;

CREATE FUNCTION meta_document(wanted bigint) RETURNS json
LANGUAGE plpgsql STABLE STRICT
AS $$ BEGIN RETURN (SELECT doc FROM meta_documents WHERE id = wanted); END $$;
