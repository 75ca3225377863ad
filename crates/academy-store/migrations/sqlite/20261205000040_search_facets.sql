-- Catalog search also finds an item by its facets (subjects, strand, grade bands, kind and
-- format, in words): "math" finds the Mathematics items, "ethics" the Ethics strand's.
ALTER TABLE catalog_items ADD COLUMN facets_text TEXT NOT NULL DEFAULT '';

DROP TRIGGER catalog_items_search_insert;
DROP TRIGGER catalog_items_search_delete;
DROP TRIGGER catalog_items_search_update;
DROP TABLE catalog_search;

CREATE VIRTUAL TABLE catalog_search USING fts5 (
    title, summary, description_md, facets_text,
    content = 'catalog_items', content_rowid = 'id', tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER catalog_items_search_insert AFTER INSERT ON catalog_items BEGIN
    INSERT INTO catalog_search (rowid, title, summary, description_md, facets_text)
    VALUES (new.id, new.title, new.summary, new.description_md, new.facets_text);
END;
CREATE TRIGGER catalog_items_search_delete AFTER DELETE ON catalog_items BEGIN
    INSERT INTO catalog_search (catalog_search, rowid, title, summary, description_md, facets_text)
    VALUES ('delete', old.id, old.title, old.summary, old.description_md, old.facets_text);
END;
CREATE TRIGGER catalog_items_search_update AFTER UPDATE OF title, summary, description_md, facets_text ON catalog_items BEGIN
    INSERT INTO catalog_search (catalog_search, rowid, title, summary, description_md, facets_text)
    VALUES ('delete', old.id, old.title, old.summary, old.description_md, old.facets_text);
    INSERT INTO catalog_search (rowid, title, summary, description_md, facets_text)
    VALUES (new.id, new.title, new.summary, new.description_md, new.facets_text);
END;
INSERT INTO catalog_search (catalog_search) VALUES ('rebuild');
