-- Program reports (academy_store::reports) count completions in a date range. A report of a
-- wide scope (a state, the nation) reads the completions of the range through this index
-- without visiting every enrollment; the user id and hours ride along so that the rows it
-- finds need no second look-up. Partial: only completed enrollments have a completion time.
CREATE INDEX enrollments_completed ON enrollments (completed_at, user_id, pd_hours_tenths) WHERE status = 'completed';
