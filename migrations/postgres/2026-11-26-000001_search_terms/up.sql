-- Every word the keyword index has held, so that a keyword's words are looked up
-- before the search runs: GIN reads a word's beginning (`bill:*`) several times
-- slower than the whole words it begins. A word no name holds any more stays; it
-- matches nothing.
CREATE TABLE api_tokens_search_terms (term TEXT COLLATE "C" PRIMARY KEY);

CREATE FUNCTION api_tokens_search_terms_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO api_tokens_search_terms (term)
    SELECT DISTINCT unnest(tsvector_to_array(
        to_tsvector('simple', regexp_replace(n.name_key, '[^[:alnum:]]+', ' ', 'g'))))
    FROM added n
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
-- Once per statement for inserts (a seed writes a thousand rows a statement), once
-- per renamed row for updates (transition tables cannot name columns).
CREATE TRIGGER api_tokens_search_terms_insert AFTER INSERT ON api_tokens
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION api_tokens_search_terms_add();

CREATE FUNCTION api_tokens_search_terms_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO api_tokens_search_terms (term)
    SELECT unnest(tsvector_to_array(
        to_tsvector('simple', regexp_replace(NEW.name_key, '[^[:alnum:]]+', ' ', 'g'))))
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER api_tokens_search_terms_update AFTER UPDATE OF name_key ON api_tokens
    FOR EACH ROW WHEN (OLD.name_key IS DISTINCT FROM NEW.name_key)
    EXECUTE FUNCTION api_tokens_search_terms_rename();

INSERT INTO api_tokens_search_terms (term)
SELECT DISTINCT unnest(tsvector_to_array(
    to_tsvector('simple', regexp_replace(name_key, '[^[:alnum:]]+', ' ', 'g'))))
FROM api_tokens;
