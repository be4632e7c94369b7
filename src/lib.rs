//! Newsdesk: one program that runs an online news publication end to end.
//!
//! `main.rs` only calls [`cli::main`]; everything else is this library, so the integration
//! tests drive the same router, database code and templates as the binary.

pub use newsdesk_core::{clock, config, context, db, i18n, tasks, text};

pub mod activitypub;
pub mod analytics;
pub mod api;
pub mod app;
pub mod articles;
pub mod auth;
pub mod changes;
pub mod cli;
pub mod comments;
pub mod discovery;
pub mod email;
pub mod embedded;
pub mod follower;
pub mod jobs;
pub mod media;
pub mod migrate;
pub mod outgoing;
pub mod pages;
pub mod promos;
pub mod queue;
pub mod root;
pub mod search;
pub mod settings;
pub mod web;
pub mod webhooks;
