//! Users of the admin area, their roles, sign-in, sessions and CSRF protection.
//!
//! Every admin route is added with the roles it allows (`web::routes`), which its guard checks
//! against the session before the handler runs; the handler takes the [`sessions::Staff`] it
//! handed on, and every admin form carries the session's CSRF token. A test walks the route
//! table as every role.

pub mod admin;
pub mod handlers;
pub use newsdesk_core::keys;
pub mod sessions;
pub mod users;
