-- Removing an event (retention) looks for its deliveries by event.
CREATE INDEX webhook_deliveries_of_event ON webhook_deliveries (event_id);
