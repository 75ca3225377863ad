-- Learn (PostgreSQL): the catalog (courses, workshops, labs), their content, enrollments and progress,
-- quiz attempts, workshop sessions and registrations, pathways and cohorts, credentials with
-- their status lists and issuer keys, and the xAPI statement store.

CREATE TABLE catalog_items (
    id                  BIGSERIAL PRIMARY KEY,
    slug                TEXT NOT NULL UNIQUE,
    kind                TEXT NOT NULL CHECK (kind IN ('course', 'workshop', 'lab')),
    strand              TEXT NOT NULL CHECK (strand IN ('ai-foundations', 'ethics', 'classroom-practice')),
    delivery            TEXT NOT NULL CHECK (delivery IN ('self-paced', 'live-virtual', 'in-person', 'hands-on-lab')),
    title               TEXT NOT NULL,
    summary             TEXT NOT NULL,
    description_md      TEXT NOT NULL DEFAULT '',
    minutes             BIGINT NOT NULL CHECK (minutes > 0),
    pd_hours_tenths     BIGINT NOT NULL CHECK (pd_hours_tenths >= 0),
    credential_bearing  BOOLEAN NOT NULL DEFAULT FALSE,
    status              TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    version             TEXT,
    authors             TEXT,
    license             TEXT,
    created_by          BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX catalog_items_listing ON catalog_items (status, strand, title);

CREATE TABLE catalog_item_grades (
    item_id  BIGINT NOT NULL REFERENCES catalog_items (id) ON DELETE CASCADE,
    band     TEXT NOT NULL CHECK (band IN ('k-2', '3-5', '6-8', '9-12')),
    PRIMARY KEY (item_id, band)
);
CREATE INDEX catalog_item_grades_band ON catalog_item_grades (band, item_id);

CREATE TABLE catalog_item_subjects (
    item_id  BIGINT NOT NULL REFERENCES catalog_items (id) ON DELETE CASCADE,
    subject  TEXT NOT NULL,
    PRIMARY KEY (item_id, subject)
);
CREATE INDEX catalog_item_subjects_subject ON catalog_item_subjects (subject, item_id);

-- Full-text search over the catalog: a weighted tsvector kept by PostgreSQL itself.
ALTER TABLE catalog_items ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(summary, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(description_md, '')), 'C')
) STORED;
CREATE INDEX catalog_items_search ON catalog_items USING GIN (search_vector);

CREATE TABLE item_modules (
    id        BIGSERIAL PRIMARY KEY,
    item_id   BIGINT NOT NULL REFERENCES catalog_items (id) ON DELETE CASCADE,
    position  BIGINT NOT NULL,
    title     TEXT NOT NULL,
    UNIQUE (item_id, position)
);

CREATE TABLE item_steps (
    id                 BIGSERIAL PRIMARY KEY,
    item_id            BIGINT NOT NULL REFERENCES catalog_items (id) ON DELETE CASCADE,
    module_id          BIGINT NOT NULL REFERENCES item_modules (id) ON DELETE CASCADE,
    position           BIGINT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('lesson', 'quiz', 'reflection', 'task')),
    title              TEXT NOT NULL,
    file               TEXT NOT NULL,
    body_md            TEXT NOT NULL,
    quiz               TEXT,
    min_words          BIGINT,
    completion_rule    TEXT,
    completion_params  TEXT,
    UNIQUE (item_id, position)
);
CREATE INDEX item_steps_module ON item_steps (module_id, position);

CREATE TABLE cohorts (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    org_id      BIGINT NOT NULL REFERENCES orgs (id),
    pathway_id  BIGINT,
    starts_on   TEXT,
    ends_on     TEXT,
    created_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX cohorts_org ON cohorts (org_id);

CREATE TABLE cohort_members (
    cohort_id  BIGINT NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('member', 'facilitator')),
    joined_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (cohort_id, user_id)
);
CREATE INDEX cohort_members_user ON cohort_members (user_id);

CREATE TABLE enrollments (
    id               BIGSERIAL PRIMARY KEY,
    user_id          BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id          BIGINT NOT NULL REFERENCES catalog_items (id),
    status           TEXT NOT NULL CHECK (status IN ('enrolled', 'in_progress', 'completed', 'withdrawn')),
    registration     TEXT NOT NULL UNIQUE,
    cohort_id        BIGINT REFERENCES cohorts (id) ON DELETE SET NULL,
    current_step_id  BIGINT REFERENCES item_steps (id) ON DELETE SET NULL,
    pd_hours_tenths  BIGINT,
    enrolled_at      TIMESTAMPTZ NOT NULL,
    started_at       TIMESTAMPTZ,
    completed_at     TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, item_id)
);
CREATE INDEX enrollments_item ON enrollments (item_id, status);

CREATE TABLE step_progress (
    enrollment_id  BIGINT NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    step_id        BIGINT NOT NULL REFERENCES item_steps (id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('started', 'completed')),
    response       TEXT,
    completed_at   TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (enrollment_id, step_id)
);

CREATE TABLE quiz_attempts (
    id             BIGSERIAL PRIMARY KEY,
    enrollment_id  BIGINT NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    step_id        BIGINT NOT NULL REFERENCES item_steps (id) ON DELETE CASCADE,
    number         BIGINT NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    submitted_at   TIMESTAMPTZ,
    responses      TEXT,
    percent        BIGINT,
    passed         BOOLEAN,
    UNIQUE (enrollment_id, step_id, number)
);

CREATE TABLE workshop_sessions (
    id                   BIGSERIAL PRIMARY KEY,
    item_id              BIGINT NOT NULL REFERENCES catalog_items (id) ON DELETE CASCADE,
    host_org_id          BIGINT REFERENCES orgs (id),
    starts_at            TIMESTAMPTZ NOT NULL,
    ends_at              TIMESTAMPTZ NOT NULL,
    time_zone            TEXT NOT NULL,
    capacity             BIGINT NOT NULL CHECK (capacity > 0),
    location_kind        TEXT NOT NULL CHECK (location_kind IN ('virtual', 'hub')),
    hub_name             TEXT,
    hub_address          TEXT,
    meeting_url          TEXT,
    status               TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
    check_in_code        TEXT,
    check_in_expires_at  TIMESTAMPTZ,
    sequence             BIGINT NOT NULL DEFAULT 0,
    created_by           BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX workshop_sessions_item ON workshop_sessions (item_id, starts_at);
CREATE INDEX workshop_sessions_starts ON workshop_sessions (starts_at);

CREATE TABLE session_facilitators (
    session_id  BIGINT NOT NULL REFERENCES workshop_sessions (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX session_facilitators_user ON session_facilitators (user_id);

CREATE TABLE registrations (
    id             BIGSERIAL PRIMARY KEY,
    session_id     BIGINT NOT NULL REFERENCES workshop_sessions (id) ON DELETE CASCADE,
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('registered', 'waitlisted', 'cancelled')),
    registered_at  TIMESTAMPTZ NOT NULL,
    promoted_at    TIMESTAMPTZ,
    cancelled_at   TIMESTAMPTZ,
    attended_at    TIMESTAMPTZ,
    attended_via   TEXT CHECK (attended_via IN ('roster', 'code')),
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (session_id, user_id)
);
CREATE INDEX registrations_queue ON registrations (session_id, status, registered_at, id);
CREATE INDEX registrations_user ON registrations (user_id, status);

CREATE TABLE calendar_feeds (
    user_id     BIGSERIAL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token       TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE pathways (
    id                 BIGSERIAL PRIMARY KEY,
    slug               TEXT NOT NULL UNIQUE,
    title              TEXT NOT NULL,
    summary            TEXT NOT NULL,
    description_md     TEXT NOT NULL DEFAULT '',
    criteria_md        TEXT NOT NULL,
    optional_required  BIGINT NOT NULL DEFAULT 0 CHECK (optional_required >= 0),
    status             TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    created_by         BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE pathway_items (
    pathway_id  BIGINT NOT NULL REFERENCES pathways (id) ON DELETE CASCADE,
    item_id     BIGINT NOT NULL REFERENCES catalog_items (id),
    required    BOOLEAN NOT NULL,
    position    BIGINT NOT NULL,
    PRIMARY KEY (pathway_id, item_id)
);
CREATE INDEX pathway_items_item ON pathway_items (item_id);

CREATE TABLE pathway_members (
    pathway_id  BIGINT NOT NULL REFERENCES pathways (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pathway_id, user_id)
);
CREATE INDEX pathway_members_user ON pathway_members (user_id);

CREATE TABLE pathway_completions (
    pathway_id       BIGINT NOT NULL REFERENCES pathways (id),
    user_id          BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    completed_at     TIMESTAMPTZ NOT NULL,
    pd_hours_tenths  BIGINT NOT NULL,
    PRIMARY KEY (pathway_id, user_id)
);
CREATE INDEX pathway_completions_user ON pathway_completions (user_id);

CREATE TABLE issuer_keys (
    id                   BIGSERIAL PRIMARY KEY,
    did                  TEXT NOT NULL,
    verification_method  TEXT NOT NULL,
    public_key           TEXT NOT NULL,
    secret_key           TEXT NOT NULL,
    active               BOOLEAN NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL
);

CREATE TABLE status_lists (
    id          BIGSERIAL PRIMARY KEY,
    purpose     TEXT NOT NULL CHECK (purpose IN ('revocation')),
    size        BIGINT NOT NULL,
    next_index  BIGINT NOT NULL DEFAULT 0,
    bits        TEXT NOT NULL,
    document    TEXT,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE credentials (
    id                 TEXT PRIMARY KEY,
    user_id            BIGINT NOT NULL REFERENCES users (id),
    pathway_id         BIGINT REFERENCES pathways (id),
    item_id            BIGINT REFERENCES catalog_items (id),
    achievement_name   TEXT NOT NULL,
    pd_hours_tenths    BIGINT NOT NULL,
    issued_at          TIMESTAMPTZ NOT NULL,
    status_list_id     BIGINT NOT NULL REFERENCES status_lists (id),
    status_index       BIGINT NOT NULL,
    revoked_at         TIMESTAMPTZ,
    revoked_by         BIGINT REFERENCES users (id) ON DELETE SET NULL,
    revocation_reason  TEXT,
    document           TEXT NOT NULL,
    CHECK ((pathway_id IS NULL) <> (item_id IS NULL)),
    UNIQUE (status_list_id, status_index)
);
CREATE UNIQUE INDEX credentials_pathway ON credentials (user_id, pathway_id) WHERE pathway_id IS NOT NULL;
CREATE UNIQUE INDEX credentials_item ON credentials (user_id, item_id) WHERE item_id IS NOT NULL;
CREATE INDEX credentials_issued ON credentials (issued_at);

CREATE TABLE xapi_statements (
    id            TEXT PRIMARY KEY,
    actor         TEXT NOT NULL,
    verb          TEXT NOT NULL,
    object        TEXT NOT NULL,
    registration  TEXT,
    timestamp     TIMESTAMPTZ NOT NULL,
    stored        TIMESTAMPTZ NOT NULL,
    statement     TEXT NOT NULL,
    voided        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX xapi_statements_stored ON xapi_statements (stored, id);
CREATE INDEX xapi_statements_actor ON xapi_statements (actor, stored);
CREATE INDEX xapi_statements_registration ON xapi_statements (registration);
