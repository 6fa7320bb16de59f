-- Announces every change to a session row, and to the user fields a session lookup returns, on the
-- channel `latchkey_session_changed`, when the change commits: instances that cache validated
-- sessions (apps/server/src/auth/session-cache.ts) drop them. Triggers, so that no write — by the
-- app, a script or psql — can bypass them (docs/decisions/020-session-cache.md).
-- The payload is the trigger's argument (`s:` a session, `u:` a user) followed by the row's id.
CREATE FUNCTION "latchkey_notify_session_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('latchkey_session_changed', TG_ARGV[0] || OLD."id");
  RETURN NULL;
END
$$;

CREATE TRIGGER "Session_notify_changed" AFTER UPDATE OR DELETE ON "Session"
  FOR EACH ROW EXECUTE FUNCTION "latchkey_notify_session_changed"('s:');

-- A deleted user's sessions go by cascade and announce themselves; email, name and whether the
-- email is verified are cached.
CREATE TRIGGER "User_notify_changed" AFTER UPDATE OF "email", "name", "emailVerifiedAt" ON "User"
  FOR EACH ROW EXECUTE FUNCTION "latchkey_notify_session_changed"('u:');
