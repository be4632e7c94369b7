//! The durable work queue (`newsdesk_core::queue`) and, here, the worker that does its jobs.

pub use newsdesk_core::queue::*;

pub mod worker;
