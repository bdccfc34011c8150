//! Tessera: self-hosted API tokens. An admin web app to manage them, and an API that
//! the services they protect ask on every request.

pub mod auth;
pub mod blocking;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod http;
pub mod limits;
pub mod passwords;
pub mod routes;
pub mod services;
pub mod startup;
pub mod state;
pub mod urls;
pub mod usage;
pub mod verification;
pub mod views;
