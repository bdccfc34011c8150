//! Integration tests: the real application, on SQLite, or on PostgreSQL when
//! TEST_DATABASE_URL is set. One database per test.

mod administrators;
mod audit_log;
mod catalog;
mod client_address;
mod control_characters;
mod csrf;
mod forward_auth;
mod health;
mod helpers;
mod introspection;
mod last_use;
mod list_at_scale;
mod lock_out;
mod migrations;
mod nginx;
mod pages;
mod permissions;
mod priorities;
mod problems;
mod process;
mod profile;
mod scale_out;
mod scoped_access;
mod sessions;
mod setup;
mod sign_in;
mod slow_clients;
mod throttle_races;
mod token_cache;
mod token_reveal;
mod tokens_create;
mod tokens_lifecycle;
mod tokens_list;
mod tokens_security;
mod verification;
