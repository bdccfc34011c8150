CREATE OR REPLACE FUNCTION api_tokens_search_terms_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO api_tokens_search_terms (term)
    SELECT DISTINCT unnest(tsvector_to_array(
        to_tsvector('simple', regexp_replace(n.name_key, '[^[:alnum:]]+', ' ', 'g'))))
    FROM added n
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION api_tokens_search_terms_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO api_tokens_search_terms (term)
    SELECT unnest(tsvector_to_array(
        to_tsvector('simple', regexp_replace(NEW.name_key, '[^[:alnum:]]+', ' ', 'g'))))
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
DROP INDEX api_tokens_search;
ALTER TABLE api_tokens DROP COLUMN name_words;
CREATE INDEX api_tokens_search ON api_tokens
    USING gin (to_tsvector('simple', regexp_replace(name_key, '[^[:alnum:]]+', ' ', 'g')));
