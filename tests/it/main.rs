//! Integration tests: the real router, templates and database, on SQLite and on PostgreSQL.

mod common;

mod activitypub;
mod analytics;
mod api;
mod articles;
mod browser;
mod cache;
mod cli;
mod cluster;
mod comments;
mod discovery;
mod email;
mod fediverse;
mod fuzz;
mod hardening;
mod import;
mod jobs;
mod layers;
mod listings;
mod metrics;
mod newsroom;
mod pages;
mod search;
mod site_pages;
mod smtp;
mod webhooks;
