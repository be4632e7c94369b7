//! Users of the admin area and their roles. Sign-in, sessions and CSRF come with the admin area.

pub mod users;
