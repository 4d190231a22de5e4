-- Email: the outbox every message is written to in the same transaction as the change it
-- tells of, and each person's opt-outs (sqlite). Keep in step with ../../postgres/.
--
-- A message is sent after commit by the mail worker, which claims a row (claimed_until)
-- before sending so that two servers never send it twice, and retries a failed send
-- later (next_attempt_at) without ever dropping it. dedupe_key makes a message that
-- must go once (the weekly digest of a person for a week) go once, however many servers
-- or runs try to write it.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    programme_id INTEGER REFERENCES programmes (id) ON DELETE CASCADE,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, next_attempt_at);

-- A row means the person does not want that kind of message.
CREATE TABLE mail_optouts (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);
