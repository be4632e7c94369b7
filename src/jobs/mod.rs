//! Job listings: the jobs page and each posting (with schema.org JobPosting for Google for
//! Jobs), the "Stellenangebote" box beside articles, their management in `/admin/jobs`, and
//! the partner feed they can be imported from.

pub mod admin;
pub mod country;
pub mod handlers;
pub mod import;
pub mod model;
pub mod queries;
