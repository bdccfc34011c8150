-- The words of every name, stored with the row: a page that walks a sort order
-- and checks each row's words reads them instead of parsing the name again (a
-- scoped administrator's page of two common words at a million tokens: 277 ms
-- before, 29 ms after). The keyword index moves onto them.
ALTER TABLE api_tokens ADD COLUMN name_words tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', regexp_replace(name_key, '[^[:alnum:]]+', ' ', 'g'))) STORED;
DROP INDEX api_tokens_search;
CREATE INDEX api_tokens_search ON api_tokens USING gin (name_words);
-- The list's plan reads the words' frequencies from the statistics.
ANALYZE api_tokens;

-- The vocabulary's triggers read the stored words too.
CREATE OR REPLACE FUNCTION api_tokens_search_terms_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO api_tokens_search_terms (term)
    SELECT DISTINCT unnest(tsvector_to_array(n.name_words)) FROM added n
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION api_tokens_search_terms_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO api_tokens_search_terms (term)
    SELECT unnest(tsvector_to_array(NEW.name_words))
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
