-- A teacher's own credentials ("my learning", the transcript, the home page) by person, newest
-- first. The partial unique indexes on (user_id, pathway_id) and (user_id, item_id) cannot
-- answer "all of this person's credentials", so that query walked every credential issued.
CREATE INDEX credentials_user ON credentials (user_id, issued_at);

-- Enrollments by the step they stand at: deleting a step (an author's edit, a course import)
-- sets this to NULL, and without an index each deleted step walked every enrollment.
CREATE INDEX enrollments_current_step ON enrollments (current_step_id);
