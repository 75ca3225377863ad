-- Feedback a facilitator gives a teacher on their work (a step) or on an item as a whole.
CREATE TABLE feedback (
    id             BIGSERIAL PRIMARY KEY,
    enrollment_id  BIGINT NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    step_id        BIGINT REFERENCES item_steps (id) ON DELETE CASCADE,
    author_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    body           TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE INDEX feedback_enrollment ON feedback (enrollment_id, created_at);
