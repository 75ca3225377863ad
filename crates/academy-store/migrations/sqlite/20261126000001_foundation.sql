-- Foundation: the organization tree, people and their roles, sessions, account tokens,
-- the job queue, the mail outbox and the audit log.
-- Timestamps are RFC 3339 text written by the application (never CURRENT_TIMESTAMP), so that
-- they compare correctly as text and match what PostgreSQL stores.

CREATE TABLE orgs (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES orgs (id),
    kind        TEXT NOT NULL CHECK (kind IN ('national', 'state_federation', 'local_union', 'district', 'school')),
    name        TEXT NOT NULL,
    path        TEXT NOT NULL,
    state       TEXT,
    nces_id     TEXT UNIQUE,
    locale      TEXT CHECK (locale IN ('city', 'suburb', 'town', 'rural')),
    title_i     BOOLEAN,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX orgs_path ON orgs (path);
CREATE INDEX orgs_parent_name ON orgs (parent_id, name);
CREATE UNIQUE INDEX orgs_single_root ON orgs ((parent_id IS NULL)) WHERE parent_id IS NULL;

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT,
    status          TEXT NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    school_id       INTEGER REFERENCES orgs (id),
    local_id        INTEGER REFERENCES orgs (id),
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    last_sign_in_at TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX users_school ON users (school_id);
CREATE INDEX users_local ON users (local_id);

CREATE TABLE role_grants (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id      INTEGER NOT NULL REFERENCES orgs (id),
    role        TEXT NOT NULL CHECK (role IN ('teacher', 'facilitator', 'org-admin', 'program-admin', 'researcher')),
    granted_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (user_id, org_id, role)
);
CREATE INDEX role_grants_org ON role_grants (org_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ip           TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE account_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('password_reset', 'invitation')),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX account_tokens_user ON account_tokens (user_id);

CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    dedupe_key    TEXT UNIQUE,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    run_at        TEXT NOT NULL,
    locked_by     TEXT,
    locked_until  TEXT,
    last_error    TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    finished_at   TEXT
);
CREATE INDEX jobs_queued ON jobs (run_at, id) WHERE status = 'queued';
CREATE INDEX jobs_leased ON jobs (locked_until) WHERE status = 'running';

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER UNIQUE REFERENCES jobs (id) ON DELETE SET NULL,
    to_address  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    transport   TEXT NOT NULL CHECK (transport IN ('outbox', 'smtp')),
    created_at  TEXT NOT NULL
);

CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    actor_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    detail      TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX audit_events_created ON audit_events (created_at);
