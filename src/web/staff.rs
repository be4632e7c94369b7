//! The web side of staff sessions: the [`Staff`] extractor, what a request without a session
//! gets, and the CSRF check of admin forms. The sessions themselves are `auth::sessions`.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::App;
use crate::auth::sessions::{COOKIE, Staff, cookie, lookup};
use crate::web::client::FormData;
use crate::web::error::AppError;

impl Staff {
    /// Refuses an admin form with 403 unless it carries the session's CSRF token.
    pub fn check_form(&self, form: &FormData) -> Result<(), AppError> {
        self.check_csrf(form.get("csrf").unwrap_or_default())
    }

    /// Refuses with 403 unless `token` is this session's CSRF token.
    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        if self.csrf_matches(token) { Ok(()) } else { Err(AppError::Forbidden) }
    }
}

/// Why a request did not get a `Staff`: readers are sent to the sign-in form, anything that is
/// not a page view gets 403.
#[derive(Debug)]
pub enum NotSignedIn {
    Redirect(String),
    Forbidden,
    Error(AppError),
}

impl IntoResponse for NotSignedIn {
    fn into_response(self) -> Response {
        match self {
            NotSignedIn::Redirect(next) => {
                let query = form_urlencoded::Serializer::new(String::new()).append_pair("next", &next).finish();
                Redirect::to(&format!("/admin/login?{query}")).into_response()
            }
            NotSignedIn::Forbidden => AppError::Forbidden.into_response(),
            NotSignedIn::Error(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<Arc<App>> for Staff {
    type Rejection = NotSignedIn;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Staff, NotSignedIn> {
        // Already looked up by the route's guard (`web::routes`).
        if let Some(staff) = parts.extensions.get::<Staff>() {
            return Ok(staff.clone());
        }
        let staff = match cookie(&parts.headers, COOKIE).filter(|t| t.len() == 64) {
            Some(token) => lookup(&app.db, token, app.now()).await.map_err(|e| NotSignedIn::Error(e.into()))?,
            None => None,
        };
        match staff {
            Some(staff) => Ok(staff),
            None if matches!(parts.method, Method::GET | Method::HEAD) => {
                Err(NotSignedIn::Redirect(parts.uri.path_and_query().map(|p| p.to_string()).unwrap_or_default()))
            }
            None => Err(NotSignedIn::Forbidden),
        }
    }
}

/// The page a destructive admin action shows first (works without JavaScript): `heading`
/// names what is about to go, `message` says what follows; its button posts to `action` again
/// with `confirm=yes` and the `keep` fields, and the cancel link leads `back`.
pub async fn confirm_page(
    app: &App,
    staff: &Staff,
    heading: String,
    message: String,
    action: String,
    back: &str,
    keep: &[(&str, String)],
) -> Result<Response, AppError> {
    let page = minijinja::context! {
        heading => heading.clone(), message => message, button => heading, action => action, back => back, keep => minijinja::value::Serde(keep),
    };
    Ok(super::admin_html(app.render_admin("admin/confirm.html", staff, page).await?))
}
