-- Foundation: the organization tree, people and their roles, sessions, account tokens,
-- the job queue, the mail outbox and the audit log.
-- `path` uses the C collation so that range scans over a subtree follow byte order.

CREATE TABLE orgs (
    id          BIGSERIAL PRIMARY KEY,
    parent_id   BIGINT REFERENCES orgs (id),
    kind        TEXT NOT NULL CHECK (kind IN ('national', 'state_federation', 'local_union', 'district', 'school')),
    name        TEXT NOT NULL,
    path        TEXT COLLATE "C" NOT NULL,
    state       TEXT,
    nces_id     TEXT UNIQUE,
    locale      TEXT CHECK (locale IN ('city', 'suburb', 'town', 'rural')),
    title_i     BOOLEAN,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX orgs_path ON orgs (path);
CREATE INDEX orgs_parent_name ON orgs (parent_id, name);
CREATE UNIQUE INDEX orgs_single_root ON orgs ((parent_id IS NULL)) WHERE parent_id IS NULL;

CREATE TABLE users (
    id              BIGSERIAL PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT,
    status          TEXT NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    school_id       BIGINT REFERENCES orgs (id),
    local_id        BIGINT REFERENCES orgs (id),
    failed_logins   BIGINT NOT NULL DEFAULT 0,
    locked_until    TIMESTAMPTZ,
    last_sign_in_at TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_school ON users (school_id);
CREATE INDEX users_local ON users (local_id);

CREATE TABLE role_grants (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id      BIGINT NOT NULL REFERENCES orgs (id),
    role        TEXT NOT NULL CHECK (role IN ('teacher', 'facilitator', 'org-admin', 'program-admin', 'researcher')),
    granted_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, org_id, role)
);
CREATE INDEX role_grants_org ON role_grants (org_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    ip           TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE account_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('password_reset', 'invitation')),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);
CREATE INDEX account_tokens_user ON account_tokens (user_id);

CREATE TABLE jobs (
    id            BIGSERIAL PRIMARY KEY,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    dedupe_key    TEXT UNIQUE,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts      BIGINT NOT NULL DEFAULT 0,
    max_attempts  BIGINT NOT NULL,
    run_at        TIMESTAMPTZ NOT NULL,
    locked_by     TEXT,
    locked_until  TIMESTAMPTZ,
    last_error    TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ
);
CREATE INDEX jobs_queued ON jobs (run_at, id) WHERE status = 'queued';
CREATE INDEX jobs_leased ON jobs (locked_until) WHERE status = 'running';

CREATE TABLE outbox (
    id          BIGSERIAL PRIMARY KEY,
    job_id      BIGINT UNIQUE REFERENCES jobs (id) ON DELETE SET NULL,
    to_address  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    transport   TEXT NOT NULL CHECK (transport IN ('outbox', 'smtp')),
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_events (
    id          BIGSERIAL PRIMARY KEY,
    actor_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    detail      TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_events_created ON audit_events (created_at);
