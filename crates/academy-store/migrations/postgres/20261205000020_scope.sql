-- Scope (PostgreSQL): content belongs to an organization, and a role or a cohort place offered to someone
-- outside the offerer's part of the tree waits until that person accepts it.

-- The organization whose authors may change an item or a pathway. NULL (possible only for
-- rows written before the program had a national root) reads as the national root.
ALTER TABLE catalog_items ADD COLUMN owner_org_id BIGINT REFERENCES orgs (id);
ALTER TABLE pathways ADD COLUMN owner_org_id BIGINT REFERENCES orgs (id);
-- Everything that exists already was the national program's.
UPDATE catalog_items SET owner_org_id = (SELECT id FROM orgs WHERE parent_id IS NULL);
UPDATE pathways SET owner_org_id = (SELECT id FROM orgs WHERE parent_id IS NULL);
CREATE INDEX catalog_items_owner ON catalog_items (owner_org_id);
CREATE INDEX pathways_owner ON pathways (owner_org_id);

-- A role at a node (kind 'grant') or a place in a cohort (kind 'cohort') offered to a person
-- outside the offerer's scope: nothing changes for them until they accept.
CREATE TABLE offers (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('grant', 'cohort')),
    org_id       BIGINT NOT NULL REFERENCES orgs (id),
    role         TEXT CHECK (role IN ('teacher', 'facilitator', 'org-admin', 'program-admin', 'researcher')),
    cohort_id    BIGINT REFERENCES cohorts (id) ON DELETE CASCADE,
    cohort_role  TEXT CHECK (cohort_role IN ('member', 'facilitator')),
    offered_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    decided_at   TIMESTAMPTZ,
    CHECK ((kind = 'grant' AND role IS NOT NULL AND cohort_id IS NULL AND cohort_role IS NULL)
        OR (kind = 'cohort' AND role IS NULL AND cohort_id IS NOT NULL AND cohort_role IS NOT NULL))
);
CREATE INDEX offers_user ON offers (user_id, status);
CREATE INDEX offers_cohort ON offers (cohort_id);
