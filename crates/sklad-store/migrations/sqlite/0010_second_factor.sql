-- Two-factor sign-in (issue 11): a user's TOTP secret once enrolment is confirmed and the
-- last time step a code was accepted for (a code is good once), their one-time recovery
-- codes (hashes only), a firm's rule that its owners must use it, and the short-lived
-- step between a correct password and the second factor.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE firms ADD COLUMN owners_need_totp INTEGER NOT NULL DEFAULT 0;

CREATE TABLE recovery_codes (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sign_in_steps (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    enrol_secret TEXT,
    expires_at TEXT NOT NULL
);
