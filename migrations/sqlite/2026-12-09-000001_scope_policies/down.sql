DROP TABLE scope_policy_grants;
DROP TABLE scope_policies;
