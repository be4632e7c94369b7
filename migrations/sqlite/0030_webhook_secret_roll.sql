-- A webhook's secret can be rolled: the new one signs every delivery, and for a day the one it
-- replaced signs them too (a second `v1=` in Newsdesk-Signature), so the receiver can switch
-- without missing a delivery.
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT;
ALTER TABLE webhooks ADD COLUMN previous_until BIGINT;

-- What each attempt sent, so an admin can send a delivery again from the hook's page (the
-- attempts before this column have none).
ALTER TABLE webhook_deliveries ADD COLUMN body TEXT;
