//! Users of the admin area, their roles, sign-in, sessions and CSRF protection.
//!
//! Every admin route takes a [`sessions::Staff`], which only a valid session yields, and checks
//! the role it needs with [`sessions::Staff::require`]; every admin form carries the session's
//! CSRF token. [`ADMIN_ROUTES`] lists who may open what; a test walks it as every role.

pub mod admin;
pub mod handlers;
pub mod keys;
pub mod sessions;
pub mod users;

use users::Role;

/// Every admin route with the roles allowed in (admins are allowed everywhere).
pub const ADMIN_ROUTES: &[(&str, &str, &[Role])] = &[
    ("GET", "/admin", &[Role::Editor, Role::Moderator]),
    ("GET", "/admin/articles", crate::articles::admin::ROLES),
    ("GET", "/admin/articles/new", crate::articles::admin::ROLES),
    ("POST", "/admin/articles", crate::articles::admin::ROLES),
    ("GET", "/admin/comments", crate::comments::admin::ROLES),
    ("POST", "/admin/comments", crate::comments::admin::ROLES),
    ("GET", "/admin/jobs", crate::jobs::admin::ROLES),
    ("GET", "/admin/jobs/new", crate::jobs::admin::ROLES),
    ("POST", "/admin/jobs", crate::jobs::admin::ROLES),
    ("GET", "/admin/promotions", crate::promos::admin::ROLES),
    ("GET", "/admin/promotions/new", crate::promos::admin::ROLES),
    ("POST", "/admin/promotions", crate::promos::admin::ROLES),
    ("POST", "/admin/jobs/import", crate::jobs::admin::ROLES),
    ("POST", "/admin/jobs/1/withdraw", crate::jobs::admin::ROLES),
    ("POST", "/admin/promotions/1/delete", crate::promos::admin::ROLES),
    ("GET", "/admin/newsletter", crate::email::admin::ROLES),
    ("POST", "/admin/newsletter", crate::email::admin::ROLES),
    ("POST", "/admin/newsletter/1/test", crate::email::admin::ROLES),
    ("POST", "/admin/newsletter/1/send", crate::email::admin::ROLES),
    ("GET", "/admin/media", crate::media::admin::ROLES),
    ("GET", "/admin/tags", crate::articles::labels_admin::ROLES),
    ("POST", "/admin/tags", crate::articles::labels_admin::ROLES),
    ("GET", "/admin/authors", crate::articles::labels_admin::ROLES),
    ("POST", "/admin/authors", crate::articles::labels_admin::ROLES),
    ("GET", "/admin/settings", crate::settings::admin::ROLES),
    ("POST", "/admin/settings", crate::settings::admin::ROLES),
    ("GET", "/admin/users", admin::ROLES),
    ("POST", "/admin/users", admin::ROLES),
    ("POST", "/admin/users/1", admin::ROLES),
    ("GET", "/admin/account", &[Role::Editor, Role::Moderator]),
    ("POST", "/admin/account", &[Role::Editor, Role::Moderator]),
    // Last: walking it ends the session.
    ("POST", "/admin/logout", &[Role::Editor, Role::Moderator]),
];
