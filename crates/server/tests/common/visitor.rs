//! A person at the web dashboard over plain HTTP: a client that follows no redirect (the tests
//! look at each one) and keeps the cookies the server sets, as a browser would. Plus the company
//! the dashboard tests look at: an administrator, an İzmir manager, and a device in Ankara and
//! one in İzmir that pushed people and shifts.

use std::collections::BTreeMap;
use std::sync::Mutex;

use rainstaff_server::service::Role;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use serde_json::json;
use uuid::Uuid;

use super::{Dev, Harness, employee, id, shift, write};

pub const ADMIN_PASSWORD: &str = "yönetici parolası 2026";
pub const MANAGER_PASSWORD: &str = "izmir müdürü parola";

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }

    /// The `Set-Cookie` header that sets `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }

    /// The value of the hidden `csrf_token` field of the page's first form that has one.
    pub fn csrf(&self) -> String {
        let at =
            self.body.find("name=\"csrf_token\" value=\"").expect("the page has a form with a CSRF token");
        let rest = &self.body[at + "name=\"csrf_token\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

pub struct Visitor {
    http: reqwest::Client,
    base: String,
    jar: Mutex<BTreeMap<String, String>>,
}

impl Visitor {
    pub fn new(h: &Harness) -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { http, base: h.url(""), jar: Mutex::new(BTreeMap::new()) }
    }

    fn cookie_header(&self) -> String {
        self.jar.lock().unwrap().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn finish(&self, response: reqwest::Response) -> Answer {
        let status = response.status();
        let headers = response.headers().clone();
        for cookie in headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
            let pair = cookie.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            let mut jar = self.jar.lock().unwrap();
            if value.is_empty() || cookie.contains("Max-Age=0") {
                jar.remove(name);
            } else {
                jar.insert(name.to_string(), value.to_string());
            }
        }
        Answer { status, headers, body: response.text().await.unwrap() }
    }

    pub async fn get(&self, path: &str) -> Answer {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    pub async fn get_bytes(&self, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.bytes().await.unwrap().to_vec())
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    pub fn has_cookie(&self, name: &str) -> bool {
        self.jar.lock().unwrap().contains_key(name)
    }

    /// Opens the sign-in page and sends it; returns the answer to the form.
    pub async fn sign_in(&self, username: &str, password: &str) -> Answer {
        let form = self.get("/login").await;
        let csrf = form.csrf();
        self.post("/login", &[("username", username), ("password", password), ("csrf_token", &csrf)]).await
    }

    /// Signs in and fails the test unless it worked.
    pub async fn signed_in(h: &Harness, username: &str, password: &str) -> Self {
        let visitor = Self::new(h);
        let answer = visitor.sign_in(username, password).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "sign-in as {username}: {}", answer.body);
        assert_eq!(answer.location(), Some("/dashboard"));
        visitor
    }

    /// The CSRF token of the signed-in session, as its pages carry it.
    pub async fn csrf(&self) -> String {
        self.get("/dashboard").await.csrf()
    }
}

/// What `company` put on the server.
pub struct Company {
    pub ankara: Dev,
    pub izmir: Dev,
    pub ankara_employee: Uuid,
    pub izmir_employee: Uuid,
}

/// An administrator, an İzmir manager, and two offices: Ankara with Ayşe Işık working 08:00–17:00
/// (60 min break) on the first five weekdays of November 2026, İzmir with Çağrı Öztürk working
/// 09:00–18:00 on two of them.
pub async fn company(h: &Harness) -> Company {
    let server = h.server();
    server.add_user("admin", Role::Admin, None, ADMIN_PASSWORD).unwrap();
    server.add_user("ayse.mudur", Role::Manager, Some("İzmir"), MANAGER_PASSWORD).unwrap();
    let ankara = h.enroll("Ankara", "ANKARA-PC1").await;
    let izmir = h.enroll("Izmir", "IZMIR-PC1").await;
    let ankara_employee = id();
    write(&ankara, ankara.upsert("employees", ankara_employee, employee("Ayşe Işık"), 0)).await;
    for day in ["02", "03", "04", "05", "06"] {
        let date = format!("2026-11-{day}");
        write(&ankara, ankara.upsert("timesheets", id(), shift(ankara_employee, &date, "08:00", "17:00"), 0))
            .await;
    }
    let izmir_employee = id();
    write(&izmir, izmir.upsert("employees", izmir_employee, employee("Çağrı Öztürk"), 0)).await;
    for day in ["02", "03"] {
        let date = format!("2026-11-{day}");
        write(&izmir, izmir.upsert("timesheets", id(), shift(izmir_employee, &date, "09:00", "18:00"), 0))
            .await;
    }
    // A vehicle whose inspection is long past: the fleet rules raise an alert.
    let plate = json!({"plate": "35 ABC 123", "oil_interval_km": 14000, "inspection_date": "2020-01-01"});
    write(&izmir, izmir.upsert("vehicles", id(), plate, 0)).await;
    Company { ankara, izmir, ankara_employee, izmir_employee }
}
