DROP TABLE token_usage_facts;
