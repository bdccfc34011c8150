-- The start of the receiver's last answer to a delivery, shown in its details.
ALTER TABLE webhook_deliveries ADD COLUMN last_answer TEXT;
