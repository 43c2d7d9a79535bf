//! Signing in and out. The sign-in form has no session to carry its CSRF token, so the token
//! travels twice: in a cookie set with the form and in the form's hidden field, and the two must
//! match (another site can make a browser post the form, but cannot read or set the cookie).

use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use super::WebState;
use super::page::{Page, Renderer, SESSION_COOKIE, cookie, set_cookie};
use crate::auth;
use crate::error::ServiceError;
use crate::service::SESSION_MAX;
use crate::store::Store;

const LOGIN_CSRF_COOKIE: &str = "rs_login";

/// `/`: the dashboard for a signed-in person, else the sign-in page.
pub async fn root<S: Store>(State(state): State<WebState<S>>, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    match Page::from_request_parts(&mut parts, &state).await {
        Ok(_) => Redirect::to("/dashboard").into_response(),
        Err(response) => response,
    }
}

/// The form, with a fresh CSRF token in it and in its cookie.
fn login_page(
    out: &Renderer,
    secure: bool,
    status: axum::http::StatusCode,
    error: Option<String>,
    username: &str,
) -> Response {
    let token = auth::new_token();
    let ctx = context! { login_csrf => token, error => error, username => username };
    let mut response = out.render("login.html", None, ctx);
    *response.status_mut() = status;
    response.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, &token, secure, None));
    response
}

pub async fn form<S: Store>(State(state): State<WebState<S>>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let out = Renderer::new(&parts, &state);
    login_page(&out, state.secure, axum::http::StatusCode::OK, None, "")
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
}

pub async fn submit<S: Store>(State(state): State<WebState<S>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let out = Renderer::new(&parts, &state);
    let expected = cookie(&parts.headers, LOGIN_CSRF_COOKIE).unwrap_or_default().to_string();
    let form = match Form::<LoginForm>::from_request(Request::from_parts(parts, body), &state).await {
        Ok(Form(form)) => form,
        Err(_) => {
            let why = out.lang.pick("Form okunamadı.", "The form could not be read.").to_string();
            return login_page(&out, state.secure, axum::http::StatusCode::BAD_REQUEST, Some(why), "");
        }
    };
    if expected.is_empty() || !auth::same_secret(&form.csrf_token, &expected) {
        let why = out
            .lang
            .pick(
                "Form süresi dolmuş ya da başka bir siteden gönderilmiş; tekrar deneyin.",
                "The form expired or came from another site; try again.",
            )
            .to_string();
        return login_page(&out, state.secure, axum::http::StatusCode::FORBIDDEN, Some(why), &form.username);
    }
    let username = form.username.clone();
    let signed = state.call(move |server| server.sign_in(&form.username, &form.password)).await;
    match signed {
        Ok((token, _)) => {
            let mut response = Redirect::to("/dashboard").into_response();
            let max_age = Some(SESSION_MAX.num_seconds());
            response
                .headers_mut()
                .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &token, state.secure, max_age));
            response
                .headers_mut()
                .append(header::SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, "", state.secure, Some(0)));
            response
        }
        Err(e) => {
            let message = sign_in_refusal(&out, &e);
            login_page(&out, state.secure, axum::http::StatusCode::UNAUTHORIZED, Some(message), &username)
        }
    }
}

/// What the sign-in page says of a refusal, in its language.
fn sign_in_refusal(out: &Renderer, e: &ServiceError) -> String {
    match e.code {
        "sign_in_failed" => {
            out.lang.pick("Kullanıcı adı ya da parola yanlış.", "Wrong user name or password.").to_string()
        }
        "locked_out" => format!(
            "{} ({})",
            out.lang.pick(
                "Çok sayıda hatalı giriş: bu kullanıcı bir süre kilitli.",
                "Too many failed sign-ins: this user is locked for a while."
            ),
            e.message
        ),
        _ => e.message.clone(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf_token: String,
}

pub async fn sign_out<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(refused) = page.check_csrf(&form.csrf_token) {
        return refused.into_response();
    }
    let signed = page.signed.clone();
    if let Err(e) = state.call(move |server| server.sign_out(&signed)).await {
        return page.error(&e);
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", state.secure, Some(0)));
    response
}
