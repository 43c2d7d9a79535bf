//! Signing in and out. The sign-in form has no session to carry its CSRF token, so the token
//! travels twice: in a cookie set with the form and in the form's hidden field, and the two must
//! match (another site can make a browser post the form, but cannot read or set the cookie).

use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use rainstaff_core::i18n::Lang;
use serde::Deserialize;

use super::WebState;
use super::page::{CsrfForm, Page, Refused, Renderer, SESSION_COOKIE, cookie, set_cookie};
use crate::auth;
use crate::error::ServiceError;
use crate::service::{LOCKOUT_AFTER, LOCKOUT_FOR};
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
    status: StatusCode,
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
    login_page(&out, state.secure, StatusCode::OK, None, "")
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
    let ending = cookie(&parts.headers, SESSION_COOKIE).map(str::to_string);
    let form = match Form::<LoginForm>::from_request(Request::from_parts(parts, body), &state).await {
        Ok(Form(form)) => form,
        Err(_) => {
            let why = out.lang.pick("Form okunamadı.", "The form could not be read.").to_string();
            return login_page(&out, state.secure, StatusCode::BAD_REQUEST, Some(why), "");
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
        return login_page(&out, state.secure, StatusCode::FORBIDDEN, Some(why), &form.username);
    }
    // Each check takes Argon2's memory: a flood of sign-ins waits its turn instead of exhausting
    // the server.
    let Ok(_turn) = state.sign_ins.clone().acquire_owned().await else {
        return out.error(None, &ServiceError::unavailable("shutting_down", "the server is stopping"));
    };
    let username = form.username.clone();
    let signed =
        state.call(move |server| server.sign_in(&form.username, &form.password, ending.as_deref())).await;
    match signed {
        Ok((token, _)) => {
            let mut response = Redirect::to("/dashboard").into_response();
            // No Max-Age: the cookie goes when the browser closes; the server ends the session
            // on its own clock (`SESSION_IDLE`, `SESSION_MAX`).
            let session = set_cookie(SESSION_COOKIE, &token, state.secure, None);
            response.headers_mut().append(header::SET_COOKIE, session);
            let spent = set_cookie(LOGIN_CSRF_COOKIE, "", state.secure, Some(0));
            response.headers_mut().append(header::SET_COOKIE, spent);
            response
        }
        Err(e) if e.code == "sign_in_failed" => {
            let minutes = LOCKOUT_FOR.num_minutes();
            let message = match out.lang {
                Lang::Tr => format!(
                    "Kullanıcı adı ya da parola yanlış. Art arda {LOCKOUT_AFTER} hatalı parolada kullanıcı \
                     {minutes} dakikalığına kilitlenir."
                ),
                Lang::En => format!(
                    "Wrong user name or password. After {LOCKOUT_AFTER} wrong passwords in a row the user is \
                     locked for {minutes} minutes."
                ),
            };
            login_page(&out, state.secure, StatusCode::UNAUTHORIZED, Some(message), &username)
        }
        Err(e) => out.error(None, &e),
    }
}

pub async fn sign_out<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Refused> {
    page.check_csrf(&form.csrf_token)?;
    let signed = page.signed.clone();
    state.call(move |server| server.sign_out(&signed)).await.map_err(|e| page.error(&e))?;
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", state.secure, Some(0)));
    Ok(response)
}
