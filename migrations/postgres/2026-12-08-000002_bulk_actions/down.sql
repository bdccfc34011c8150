DROP TABLE bulk_actions;
DROP INDEX audit_events_by_batch;
ALTER TABLE audit_events DROP COLUMN batch_id;
