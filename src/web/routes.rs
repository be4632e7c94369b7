//! The table of routes: each route is added with who may use it and, for a public page,
//! whether the page cache keeps it. The router and the table come from the same calls, so a
//! test can walk every admin route as every role and check every public page against the
//! cache's scopes, and no route can be added without saying both.
//!
//! Staff routes are guarded here, per route, by [`require_roles`]: a request without a session
//! is sent to sign in (pages) or refused (forms), one with a role the route does not allow is
//! refused with 403, and the signed-in [`Staff`] is handed on to the handler.

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequestParts as _, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;

use crate::app::App;
use crate::auth::sessions::Staff;
use crate::auth::users::Role;
use crate::web::error::AppError;
use crate::web::staff::NotSignedIn;

/// Who may use a route, and whether the page cache keeps its GET answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; the page cache keeps its pages (its path has scopes: `cache::scopes_of`).
    Cached,
    /// Anyone; never kept by the page cache (per reader, or cheap, or not a page).
    Uncached,
    /// Signed-in staff with one of these roles; admins may use every route.
    Staff(&'static [Role]),
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Entry {
    /// As the router has it: `/admin/articles/{id}`.
    pub path: &'static str,
    /// `GET`, `POST`.
    pub methods: &'static [&'static str],
    pub access: Access,
}

/// Builds the router and its table together.
pub struct Routes {
    app: Arc<App>,
    router: Router<Arc<App>>,
    table: Vec<Entry>,
}

impl Routes {
    pub fn new(app: Arc<App>) -> Routes {
        Routes { app, router: Router::new(), table: Vec::new() }
    }

    /// Adds a route that anyone may use.
    pub fn public(
        self,
        methods: &'static [&'static str],
        path: &'static str,
        cached: bool,
        route: MethodRouter<Arc<App>>,
    ) -> Routes {
        let access = if cached { Access::Cached } else { Access::Uncached };
        self.add(methods, path, access, route)
    }

    /// Adds a route for signed-in staff with one of `roles`.
    pub fn staff(
        self,
        methods: &'static [&'static str],
        path: &'static str,
        roles: &'static [Role],
        route: MethodRouter<Arc<App>>,
    ) -> Routes {
        self.guarded(methods, path, roles, route, Signed::Required)
    }

    /// Adds a staff route whose forms, arriving after the session ended, still reach the
    /// handler, which hands the text back instead of losing it (the article editor). Signed in,
    /// the roles apply as for [`Routes::staff`].
    pub fn staff_keeping_forms(
        self,
        methods: &'static [&'static str],
        path: &'static str,
        roles: &'static [Role],
        route: MethodRouter<Arc<App>>,
    ) -> Routes {
        self.guarded(methods, path, roles, route, Signed::FormsPass)
    }

    fn guarded(
        self,
        methods: &'static [&'static str],
        path: &'static str,
        roles: &'static [Role],
        route: MethodRouter<Arc<App>>,
        signed: Signed,
    ) -> Routes {
        let guard = Guard { app: self.app.clone(), roles, signed };
        let guarded = route.route_layer(middleware::from_fn_with_state(guard, require_roles));
        self.add(methods, path, Access::Staff(roles), guarded)
    }

    fn add(
        mut self,
        methods: &'static [&'static str],
        path: &'static str,
        access: Access,
        route: MethodRouter<Arc<App>>,
    ) -> Routes {
        self.router = self.router.route(path, route);
        self.table.push(Entry { path, methods, access });
        self
    }

    pub fn into_parts(self) -> (Router<Arc<App>>, Vec<Entry>) {
        (self.router, self.table)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signed {
    Required,
    /// Forms without a session pass on to the handler.
    FormsPass,
}

#[derive(Clone)]
struct Guard {
    app: Arc<App>,
    roles: &'static [Role],
    signed: Signed,
}

/// The guard of staff routes: a session with one of the route's roles, or no further.
async fn require_roles(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let staff = match Staff::from_request_parts(&mut parts, &guard.app).await {
        Ok(staff) => staff,
        Err(NotSignedIn::Forbidden) if guard.signed == Signed::FormsPass => {
            return next.run(Request::from_parts(parts, body)).await;
        }
        Err(not_signed_in) => return not_signed_in.into_response(),
    };
    let roles = guard.roles;
    if !staff.may(roles) {
        return AppError::Forbidden.into_response();
    }
    parts.extensions.insert(staff);
    next.run(Request::from_parts(parts, body)).await
}
