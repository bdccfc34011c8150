DROP TABLE token_clients;
DROP TABLE token_permission_uses;
DROP TABLE unknown_token_usage;
DROP TABLE token_usage;
