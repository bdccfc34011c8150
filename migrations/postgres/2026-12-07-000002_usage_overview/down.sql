DROP TABLE usage_leaders;
DROP TABLE scope_set_usage;
