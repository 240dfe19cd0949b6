package store

// migrations is the schema's history; see migrate.go. Times are Unix
// milliseconds (0 = not set).
var migrations = []migration{
	{1, "hall, catalogue, tickets, accounts, audit", `
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE departments (
	code    TEXT PRIMARY KEY,
	name    TEXT NOT NULL,
	name_en TEXT NOT NULL DEFAULT ''
);

CREATE TABLE queues (
	code        TEXT PRIMARY KEY CHECK (length(code) = 1),
	name        TEXT NOT NULL,
	name_en     TEXT NOT NULL DEFAULT '',
	departments TEXT NOT NULL DEFAULT '[]'  -- JSON array of department codes
);

CREATE TABLE windows (
	number     INTEGER PRIMARY KEY CHECK (number > 0),
	name       TEXT NOT NULL,
	name_en    TEXT NOT NULL DEFAULT '',
	open       INTEGER NOT NULL DEFAULT 0,
	staff_user INTEGER REFERENCES users(id),
	opened_at  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE window_queues (
	window INTEGER NOT NULL REFERENCES windows(number) ON DELETE CASCADE,
	queue  TEXT NOT NULL REFERENCES queues(code),
	PRIMARY KEY (window, queue)
);

CREATE TABLE items (
	code          TEXT PRIMARY KEY,
	department    TEXT NOT NULL REFERENCES departments(code),
	queue         TEXT NOT NULL REFERENCES queues(code),
	name          TEXT NOT NULL,
	name_en       TEXT NOT NULL DEFAULT '',
	legal_days    INTEGER NOT NULL,
	promised_days INTEGER NOT NULL,
	instant       INTEGER NOT NULL DEFAULT 0,
	detail        TEXT NOT NULL DEFAULT '{}', -- JSON: conditions, materials, fees, legal basis, steps
	retired       INTEGER NOT NULL DEFAULT 0  -- no longer in the catalogue; kept for the tickets that name it
);

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	display_name  TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('counter','supervisor','admin','technician')),
	password_hash TEXT NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL,
	password_at   INTEGER NOT NULL
);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE kiosks (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	token_hash  TEXT NOT NULL UNIQUE,
	enrolled_at INTEGER NOT NULL,
	last_seen   INTEGER NOT NULL DEFAULT 0,
	disabled    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE enrollment_codes (
	code_hash  TEXT PRIMARY KEY,
	kiosk_name TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE tickets (
	id            INTEGER PRIMARY KEY,
	token         TEXT NOT NULL UNIQUE,
	day           TEXT NOT NULL,
	orig_queue    TEXT NOT NULL REFERENCES queues(code),
	seq           INTEGER NOT NULL,
	number        TEXT NOT NULL,
	queue         TEXT NOT NULL REFERENCES queues(code),
	item          TEXT REFERENCES items(code),
	priority      TEXT NOT NULL DEFAULT '',
	state         TEXT NOT NULL,
	issued_at     INTEGER NOT NULL,
	queued_at     INTEGER NOT NULL,
	called_at     INTEGER NOT NULL DEFAULT 0,
	started_at    INTEGER NOT NULL DEFAULT 0,
	finished_at   INTEGER NOT NULL DEFAULT 0,
	window        TEXT NOT NULL DEFAULT '',
	target_window TEXT NOT NULL DEFAULT '',
	return_queue  TEXT NOT NULL DEFAULT '',
	return_window TEXT NOT NULL DEFAULT '',
	hold_until    INTEGER NOT NULL DEFAULT 0,
	recalls       INTEGER NOT NULL DEFAULT 0,
	kiosk_id      INTEGER REFERENCES kiosks(id),
	UNIQUE (orig_queue, day, seq)
);
-- Waiting tickets by queue, class and age: a call reads only the head of
-- each line, and "people ahead" is a count over this index alone (it
-- covers every column those queries test).
CREATE INDEX tickets_waiting ON tickets(day, queue, priority, issued_at, id, state, target_window, hold_until)
	WHERE state IN ('issued','transferred','held');
CREATE INDEX tickets_reserved ON tickets(target_window, day)
	WHERE target_window <> '' AND state IN ('issued','transferred','held');
CREATE INDEX tickets_window ON tickets(window, called_at)
	WHERE state IN ('called','recalled','serving');
CREATE INDEX tickets_done ON tickets(day, queue, finished_at) WHERE state = 'done';

-- How many tickets wait, by day, queue and priority class, kept by
-- triggers so that every writer (the server, hallctl) keeps it right.
-- Line lengths and "people ahead" read it instead of counting the line.
CREATE TABLE waiting_counts (
	day      TEXT NOT NULL,
	queue    TEXT NOT NULL,
	priority TEXT NOT NULL,
	n        INTEGER NOT NULL CHECK (n >= 0),
	PRIMARY KEY (day, queue, priority)
) WITHOUT ROWID;
CREATE TRIGGER waiting_insert AFTER INSERT ON tickets
	WHEN NEW.state IN ('issued','transferred','held')
BEGIN
	INSERT INTO waiting_counts(day, queue, priority, n) VALUES (NEW.day, NEW.queue, NEW.priority, 1)
		ON CONFLICT(day, queue, priority) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER waiting_leave AFTER UPDATE OF state, queue ON tickets
	WHEN OLD.state IN ('issued','transferred','held')
BEGIN
	UPDATE waiting_counts SET n = n - 1 WHERE day = OLD.day AND queue = OLD.queue AND priority = OLD.priority;
END;
CREATE TRIGGER waiting_enter AFTER UPDATE OF state, queue ON tickets
	WHEN NEW.state IN ('issued','transferred','held')
BEGIN
	INSERT INTO waiting_counts(day, queue, priority, n) VALUES (NEW.day, NEW.queue, NEW.priority, 1)
		ON CONFLICT(day, queue, priority) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER waiting_delete AFTER DELETE ON tickets
	WHEN OLD.state IN ('issued','transferred','held')
BEGIN
	UPDATE waiting_counts SET n = n - 1 WHERE day = OLD.day AND queue = OLD.queue AND priority = OLD.priority;
END;

-- Every transition of every ticket, with its own time: waits, walks to the
-- counter, service and idle times are computed from here.
CREATE TABLE ticket_events (
	id         INTEGER PRIMARY KEY,
	ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
	at         INTEGER NOT NULL,
	action     TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state   TEXT NOT NULL,
	window     TEXT NOT NULL DEFAULT '',
	actor      TEXT NOT NULL,
	out_of_order INTEGER NOT NULL DEFAULT 0,
	reason     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id);
CREATE INDEX ticket_events_calls ON ticket_events(window, id) WHERE action = 'call';

-- The audit trail: append-only, each record chained to the previous one by
-- SHA-256 (audit.go). The triggers refuse updates and deletes through
-- SQL; audit_head lets verify notice records cut from the end.
CREATE TABLE audit (
	id        INTEGER PRIMARY KEY,
	at        INTEGER NOT NULL,
	actor     TEXT NOT NULL,
	role      TEXT NOT NULL,
	device    TEXT NOT NULL,
	action    TEXT NOT NULL,
	entity    TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	before    TEXT NOT NULL,
	after     TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash      TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit(entity, entity_id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit records cannot be changed'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit records cannot be deleted'); END;

CREATE TABLE audit_head (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	last_id INTEGER NOT NULL,
	hash    TEXT NOT NULL
);
`},
	{2, "applications", `
-- An application (办件). The applicant's ID number is never stored in
-- clear: a keyed hash finds it, a sealed copy holds it, a masked copy is
-- what screens show (package pii does all three).
CREATE TABLE applications (
	id               INTEGER PRIMARY KEY,
	number           TEXT NOT NULL UNIQUE,
	day              TEXT NOT NULL,
	seq              INTEGER NOT NULL,
	item             TEXT NOT NULL REFERENCES items(code),
	applicant_name   TEXT NOT NULL,
	applicant_hash   TEXT NOT NULL,
	applicant_sealed BLOB NOT NULL,
	applicant_masked TEXT NOT NULL,
	ticket_id        INTEGER REFERENCES tickets(id),
	window           TEXT NOT NULL DEFAULT '',
	legal_days       INTEGER NOT NULL,
	promised_days    INTEGER NOT NULL,
	instant          INTEGER NOT NULL,
	accepted_at      INTEGER NOT NULL,
	accepted_by      TEXT NOT NULL,
	step             TEXT NOT NULL,
	status           TEXT NOT NULL,
	outcome          TEXT NOT NULL DEFAULT '',
	extend_days      INTEGER NOT NULL DEFAULT 0,
	completed_at     INTEGER NOT NULL DEFAULT 0,
	qr_token         TEXT NOT NULL UNIQUE,
	UNIQUE (day, seq)
);
CREATE INDEX applications_applicant ON applications(applicant_hash);
CREATE INDEX applications_open ON applications(accepted_at) WHERE status <> 'completed';

-- Every event of every application, in order: the clock is computed from here.
CREATE TABLE application_events (
	id             INTEGER PRIMARY KEY,
	application_id INTEGER NOT NULL REFERENCES applications(id),
	kind           TEXT NOT NULL,
	at             INTEGER NOT NULL,
	actor          TEXT NOT NULL,
	step           TEXT NOT NULL DEFAULT '',
	suspend        TEXT NOT NULL DEFAULT '',
	days           INTEGER NOT NULL DEFAULT 0,
	outcome        TEXT NOT NULL DEFAULT '',
	note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX application_events_app ON application_events(application_id);
`},
	{3, "certificates", `
-- The hall's certificate signing keys: the public half and the life of
-- each. Private keys are files in DATA/keys (0600, package certkeys) and
-- never leave the hall server. One key is active at a time.
CREATE TABLE signing_keys (
	kid         TEXT PRIMARY KEY,
	public_key  BLOB NOT NULL UNIQUE,
	valid_from  INTEGER NOT NULL,
	valid_until INTEGER NOT NULL DEFAULT 0,
	status      TEXT NOT NULL CHECK (status IN ('active','retired','revoked')),
	note        TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys(status) WHERE status = 'active';

-- Certificates (证照) the hall issued. The holder's ID number is kept like
-- an applicant's: keyed hash, sealed, masked. cose is the signed QR
-- payload exactly as printed.
CREATE TABLE certificates (
	id             INTEGER PRIMARY KEY,
	serial         TEXT NOT NULL UNIQUE,
	identifier     TEXT NOT NULL UNIQUE,
	type           TEXT NOT NULL,
	title          TEXT NOT NULL,
	version        INTEGER NOT NULL,
	issued_at      INTEGER NOT NULL,
	expires_at     INTEGER NOT NULL DEFAULT 0,
	status_index   INTEGER NOT NULL UNIQUE,
	holder_name    TEXT NOT NULL,
	holder_hash    TEXT NOT NULL,
	holder_sealed  BLOB NOT NULL,
	holder_masked  TEXT NOT NULL,
	salt           BLOB NOT NULL,
	fields         TEXT NOT NULL DEFAULT '{}', -- JSON object, printed fields by name
	kid            TEXT NOT NULL REFERENCES signing_keys(kid),
	cose           BLOB NOT NULL,
	application_id INTEGER REFERENCES applications(id),
	issued_by      TEXT NOT NULL,
	replaces       INTEGER REFERENCES certificates(id),
	revoked_at     INTEGER NOT NULL DEFAULT 0,
	revoked_by     TEXT NOT NULL DEFAULT '',
	revoke_reason  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX certificates_holder ON certificates(holder_hash);
CREATE INDEX certificates_application ON certificates(application_id) WHERE application_id IS NOT NULL;

-- Every print of every certificate: copy 1 is the original, later copies
-- are reprints and carry a visible mark.
CREATE TABLE certificate_prints (
	id             INTEGER PRIMARY KEY,
	certificate_id INTEGER NOT NULL REFERENCES certificates(id),
	copy           INTEGER NOT NULL CHECK (copy >= 1),
	at             INTEGER NOT NULL,
	actor          TEXT NOT NULL,
	device         TEXT NOT NULL,
	UNIQUE (certificate_id, copy)
);
`},
	{4, "ratings", `
-- Ratings (好差评): one per visit (a ticket) or per transaction (an
-- application), tied to the window and the staff member who served. Levels:
-- 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (2 and 1 are bad).
-- A re-rating after a bad rating's follow-up is a new row that replaces
-- the old one, which stays (superseded = 1).
CREATE TABLE ratings (
	id             INTEGER PRIMARY KEY,
	at             INTEGER NOT NULL,
	level          INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
	reasons        TEXT NOT NULL DEFAULT '[]', -- JSON array of reason codes
	comment        TEXT NOT NULL DEFAULT '',
	ticket_id      INTEGER REFERENCES tickets(id),
	application_id INTEGER REFERENCES applications(id),
	window         TEXT NOT NULL DEFAULT '',
	staff          TEXT NOT NULL DEFAULT '', -- username of who served
	item           TEXT NOT NULL DEFAULT '',
	department     TEXT NOT NULL DEFAULT '',
	channel        TEXT NOT NULL CHECK (channel IN ('kiosk','counter','phone')),
	device         TEXT NOT NULL DEFAULT '',
	replaces       INTEGER REFERENCES ratings(id),
	superseded     INTEGER NOT NULL DEFAULT 0,
	CHECK (ticket_id IS NOT NULL OR application_id IS NOT NULL)
);
CREATE UNIQUE INDEX ratings_one_per_visit ON ratings(ticket_id)
	WHERE ticket_id IS NOT NULL AND application_id IS NULL AND superseded = 0;
CREATE UNIQUE INDEX ratings_one_per_application ON ratings(application_id)
	WHERE application_id IS NOT NULL AND superseded = 0;
CREATE INDEX ratings_at ON ratings(at);

-- The follow-up of a bad rating: call back within 1 working day, resolve
-- within 15; the citizen may then re-rate.
CREATE TABLE rating_followups (
	rating_id      INTEGER PRIMARY KEY REFERENCES ratings(id),
	opened_at      INTEGER NOT NULL,
	callback_due   TEXT NOT NULL, -- last working day for the call back, YYYY-MM-DD
	resolve_due    TEXT NOT NULL, -- last working day for the resolution
	called_back_at INTEGER NOT NULL DEFAULT 0,
	called_back_by TEXT NOT NULL DEFAULT '',
	callback_note  TEXT NOT NULL DEFAULT '',
	resolved_at    INTEGER NOT NULL DEFAULT 0,
	resolved_by    TEXT NOT NULL DEFAULT '',
	resolution     TEXT NOT NULL DEFAULT '',
	rerating_id    INTEGER REFERENCES ratings(id)
);
CREATE INDEX rating_followups_open ON rating_followups(opened_at) WHERE resolved_at = 0;
`},
	{5, "kiosk health and help calls", `
-- What a kiosk reported in its last heartbeat (kiosks.last_seen is when).
ALTER TABLE kiosks ADD COLUMN app_version TEXT NOT NULL DEFAULT '';
ALTER TABLE kiosks ADD COLUMN devices TEXT NOT NULL DEFAULT '[]'; -- JSON array of {device, state, problem}

-- Calls for staff help from a kiosk (一键呼叫); open until answered.
CREATE TABLE help_calls (
	id          INTEGER PRIMARY KEY,
	kiosk_id    INTEGER NOT NULL REFERENCES kiosks(id),
	called_at   INTEGER NOT NULL,
	last_call   INTEGER NOT NULL, -- the latest press while open
	presses     INTEGER NOT NULL DEFAULT 1,
	answered_at INTEGER NOT NULL DEFAULT 0,
	answered_by TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX help_calls_open ON help_calls(kiosk_id) WHERE answered_at = 0;
`},
	{6, "province outbox", `
-- The transactional outbox: what the province must receive, written in the
-- same transaction as the change it reports (a ticket's end, a rating, an
-- application event, a certificate, a signing key, an audit anchor). The
-- relay sends pending rows oldest first and marks them delivered; a row
-- the province can never take is dead until a supervisor replays it (or,
-- as a last resort, discards it, audited), and the rows after it of the
-- same aggregate wait for it. Its idempotency key
-- is "<outbox_epoch>-<id>": unique for ever, even if a hall is set up anew.
CREATE TABLE outbox (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL,
	aggregate    TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	data         TEXT NOT NULL,
	state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','delivered','dead','discarded')),
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	delivered_at INTEGER NOT NULL DEFAULT 0,
	dead_at      INTEGER NOT NULL DEFAULT 0,
	replays      INTEGER NOT NULL DEFAULT 0
);
-- Rows are never deleted (the count of delivered rows relies on it). The
-- partial indexes name their state exactly, so SQLite uses them.
CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';
CREATE INDEX outbox_dead ON outbox(aggregate, id) WHERE state = 'dead';
CREATE INDEX outbox_dead_id ON outbox(id) WHERE state = 'dead';
CREATE INDEX outbox_discarded ON outbox(id) WHERE state = 'discarded';
INSERT INTO meta(key, value) VALUES ('outbox_epoch', lower(hex(randomblob(8))));
-- What the hall had before the outbox existed is reported once, at the
-- next open (backfillOutbox).
INSERT INTO meta(key, value) VALUES ('outbox_backfill', 'due');

-- Certificates other halls revoked, from the province's signed trust
-- document, so this hall's checks refuse them too.
CREATE TABLE province_revocations (
	serial     TEXT PRIMARY KEY,
	hall       TEXT NOT NULL,
	revoked_at INTEGER NOT NULL,
	reason     TEXT NOT NULL DEFAULT ''
);
`},
}
