-- Feedback a facilitator gives a teacher on their work (a step) or on an item as a whole.
CREATE TABLE feedback (
    id             INTEGER PRIMARY KEY,
    enrollment_id  INTEGER NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    step_id        INTEGER REFERENCES item_steps (id) ON DELETE CASCADE,
    author_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    body           TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

CREATE INDEX feedback_enrollment ON feedback (enrollment_id, created_at);
