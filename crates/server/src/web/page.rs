//! What every page request carries: the signed-in person (from the session cookie), the language
//! (a `?lang=` link or the cookie it left), and the way back to HTML: a rendered page, or an
//! error page in the same language. A request without a live session goes to the sign-in page.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use rainstaff_core::i18n::Lang;
use serde::{Deserialize, Serialize};

use super::WebState;
use super::templates::PAGES;
use crate::error::{ErrorKind, ServiceError};
use crate::service::SignedIn;
use crate::store::Store;

pub const SESSION_COOKIE: &str = "rs_session";
pub const LANG_COOKIE: &str = "rs_lang";

/// The value of cookie `name` in the request, if it sent one.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value the page scripts cannot read and other sites cannot send; `Secure` when
/// the server speaks TLS. `max_age` 0 removes the cookie.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if secure {
        cookie.push_str("; Secure");
    }
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&cookie).expect("cookie values are hex or language codes")
}

/// The page's language: a `lang` query parameter (also remembered in a cookie), else the cookie,
/// else Turkish. Returns whether the query chose it.
pub fn language(parts: &Parts) -> (Lang, bool) {
    let asked = parts.uri.query().into_iter().flat_map(|q| q.split('&')).find_map(|pair| {
        match pair.split_once('=') {
            Some(("lang", code)) => Lang::from_code(code),
            _ => None,
        }
    });
    match asked {
        Some(lang) => (lang, true),
        None => (cookie(&parts.headers, LANG_COOKIE).and_then(Lang::from_code).unwrap_or_default(), false),
    }
}

/// A form whose only field is its CSRF token (sign-out, revoke, resolve).
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf_token: String,
}

/// Renders pages and error pages in one language.
#[derive(Clone)]
pub struct Renderer {
    pub lang: Lang,
    /// Set the language cookie on the answer (the query chose the language).
    remember_lang: bool,
    secure: bool,
    /// The path and query of the request, for the language links.
    here: String,
}

impl Renderer {
    pub fn new<S: Store>(parts: &Parts, state: &WebState<S>) -> Self {
        Self { secure: state.secure, ..Self::plain(parts) }
    }

    /// A renderer for an error page outside any page handler; it sets no cookie.
    pub fn plain(parts: &Parts) -> Self {
        let (lang, remember_lang) = language(parts);
        let query: Vec<&str> = parts
            .uri
            .query()
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter(|p| !p.starts_with("lang="))
            .collect();
        // The language links add `lang=` to this.
        let mut here = format!("{}?", parts.uri.path());
        for pair in query {
            here.push_str(pair);
            here.push('&');
        }
        Self { lang, remember_lang, secure: false, here }
    }

    /// `template` with `ctx` and what every page shows (language, its links, the person).
    pub fn render(&self, template: &str, signed: Option<&SignedIn>, ctx: Value) -> Response {
        self.render_status(StatusCode::OK, template, signed, ctx)
    }

    fn render_status(
        &self,
        status: StatusCode,
        template: &str,
        signed: Option<&SignedIn>,
        ctx: Value,
    ) -> Response {
        let me = signed.map(|s| {
            context! {
                username => s.viewer.username,
                region => s.viewer.region,
                admin => s.viewer.role() == crate::service::Role::Admin,
            }
        });
        // The menu entry a page belongs to: a record's page is its list's.
        let nav = match template.trim_end_matches(".html") {
            "employee" => "employees",
            "vehicle" => "vehicles",
            other => other,
        };
        let page = context! {
            lang => self.lang.code(),
            nav => nav,
            here => self.here,
            me => me,
            csrf_token => signed.map(|s| s.csrf_token.as_str()),
            ..ctx
        };
        let body = match PAGES.get_template(template).and_then(|t| t.render(page)) {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(error = %e, template, "a page failed to render");
                return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
            }
        };
        let mut response =
            (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
        if self.remember_lang {
            let cookie = set_cookie(LANG_COOKIE, self.lang.code(), self.secure, Some(365 * 24 * 3600));
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        response
    }

    /// An error page: the status the service's refusal calls for and its message. A request for
    /// what the person may not see is answered as if it did not exist.
    pub fn error(&self, signed: Option<&SignedIn>, e: &ServiceError) -> Response {
        let status = match e.kind {
            ErrorKind::Invalid => StatusCode::BAD_REQUEST,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden | ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Gone => StatusCode::GONE,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = match (e.kind, status) {
            (ErrorKind::Internal, _) => {
                self.lang.pick("Sunucuda bir hata oldu.", "The server failed.").to_string()
            }
            (_, StatusCode::NOT_FOUND) => self.not_found(),
            _ => e.message.clone(),
        };
        self.error_page(status, signed, &message)
    }

    pub fn not_found(&self) -> String {
        self.lang.pick("Böyle bir sayfa ya da kayıt yok.", "No such page or record.").to_string()
    }

    /// The error page with `status` and `message`.
    pub fn error_page(&self, status: StatusCode, signed: Option<&SignedIn>, message: &str) -> Response {
        let ctx = context! { status => status.as_u16(), message => message };
        self.render_status(status, "error.html", signed, ctx)
    }
}

/// A page answered with something other than itself: an error page, a redirect. Boxed, as a
/// `Response` is large and handlers pass this through `?`.
pub struct Refused(Box<Response>);

impl From<Response> for Refused {
    fn from(response: Response) -> Self {
        Refused(Box::new(response))
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// A page request by a signed-in person.
pub struct Page {
    pub signed: SignedIn,
    pub out: Renderer,
}

impl Page {
    pub fn render(&self, template: &str, ctx: impl Serialize) -> Response {
        self.out.render(template, Some(&self.signed), Value::from_serialize(ctx))
    }

    pub fn error(&self, e: &ServiceError) -> Response {
        self.out.error(Some(&self.signed), e)
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), Refused> {
        if crate::auth::same_secret(sent, &self.signed.csrf_token) {
            return Ok(());
        }
        let message = self.out.lang.pick(
            "Form süresi dolmuş ya da başka bir siteden gönderilmiş; sayfayı yenileyip tekrar deneyin.",
            "The form expired or came from another site; reload the page and try again.",
        );
        Err(self.out.error_page(StatusCode::FORBIDDEN, Some(&self.signed), message).into())
    }
}

impl<S: Store> FromRequestParts<WebState<S>> for Page {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState<S>) -> Result<Self, Response> {
        let out = Renderer::new(parts, state);
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_string) else {
            return Err(Redirect::to("/login").into_response());
        };
        match state.call(move |server| server.session(&token)).await {
            Ok(signed) => Ok(Page { signed, out }),
            Err(e) if e.kind == ErrorKind::Unauthenticated => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(out.error(None, &e)),
        }
    }
}
