DROP TABLE webhook_deliveries;
DROP TABLE outbox_events;
DROP TABLE webhook_endpoint_scopes;
DROP TABLE webhook_endpoints;
