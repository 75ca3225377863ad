-- Catalog search also finds an item by its facets (subjects, strand, grade bands, kind and
-- format, in words): "math" finds the Mathematics items, "ethics" the Ethics strand's.
ALTER TABLE catalog_items ADD COLUMN facets_text TEXT NOT NULL DEFAULT '';

DROP INDEX catalog_items_search;
ALTER TABLE catalog_items DROP COLUMN search_vector;
ALTER TABLE catalog_items ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(summary, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(facets_text, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(description_md, '')), 'C')
) STORED;
CREATE INDEX catalog_items_search ON catalog_items USING GIN (search_vector);
