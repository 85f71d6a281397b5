-- Where and when each web session was last used (issue 11: an owner sees a member's
-- sessions and ends them). Written at most once a minute per session.
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_from TEXT;
