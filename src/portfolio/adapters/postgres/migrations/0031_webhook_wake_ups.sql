-- 0030's statement trigger woke the leader after every UPDATE of a delivery's next attempt,
-- the sender's own claims included, and a statement trigger fires even when no row changed:
-- the leader woke itself at every turn. Only a delivery made due by hand (a ping, a retry by
-- hand) wakes it now, with a NOTIFY of its own (adapters/postgres/webhooks.py).
DROP TRIGGER webhook_deliveries_announced ON webhook_deliveries;
