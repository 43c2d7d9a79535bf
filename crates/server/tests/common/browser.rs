//! A real browser for the admin dashboard's tests (issue 19): headless Chromium driven through
//! chromedriver over the W3C WebDriver protocol, with the `reqwest` the tests already have. The
//! protocol is plain JSON over HTTP and the tests need a score of its commands, so a client of
//! its own (this file) costs less than a WebDriver crate and its dependencies.
//!
//! `Browser::start` starts `chromedriver --port=<free port>` (a child process, killed when the
//! browser drops), waits until its `/status` says ready, and opens a session of headless
//! Chromium with a fresh profile in a temporary folder, Turkish as its language (`tr-TR` in
//! `Accept-Language` and `navigator.language`) and downloads saved, without asking, to a
//! temporary folder of its own (`wait_for_download`). The binaries are `$CHROMEDRIVER` and
//! `$CHROMIUM`, or Debian's `/usr/bin/chromedriver` and `/usr/bin/chromium`; a machine without
//! them fails the test that needs them, saying how to install them (`.ci/run` installs them).
//!
//! The viewport is exactly the `Viewport` asked for (`DESKTOP` 1280×800, `PHONE` 375×812), and so
//! are screenshots. A window cannot give that: headless Chromium keeps a window at least 500 px
//! wide (`--window-size=375,812` leaves `innerWidth` at 500) and takes the window's height from
//! the viewport's. So the viewport is set by device-metrics emulation (the DevTools command
//! `Emulation.setDeviceMetricsOverride` through chromedriver's `goog/cdp/execute`, as the
//! capability `mobileEmulation.deviceMetrics` does, but changeable during a session), `PHONE` as
//! a mobile device (it honours `<meta name="viewport">`), and checked against `innerWidth` and
//! `innerHeight`. `set_viewport` switches, say to screenshot one page at both sizes.
//!
//! Screenshots are kept as test artifacts in `<target>/test-artifacts/web/<name>.png`, where
//! `<target>` is the folder three levels above the test executable (`<target>/debug/deps/…`):
//! `target/` of the workspace, or wherever `CARGO_TARGET_DIR` puts it.
//!
//! Every command returns `Result<_, BrowserError>`; the error says which command failed, the
//! WebDriver error and its message, and the page the browser was on, so a test can simply `?`
//! or `unwrap` it.

use std::collections::HashSet;
use std::fmt;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};
use tempfile::TempDir;

const INSTALL: &str = "the browser tests need Chromium and its WebDriver (/usr/bin/chromium, \
    /usr/bin/chromedriver, or $CHROMIUM and $CHROMEDRIVER): install them with \
    `apt-get install -y chromium chromium-driver`";

/// The key W3C WebDriver gives an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The size of the page's viewport, in CSS pixels (a device pixel each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
    /// Emulates a phone: mobile layout (`<meta name="viewport">`), mobile scrollbars.
    pub mobile: bool,
}

impl Viewport {
    pub const DESKTOP: Viewport = Viewport { width: 1280, height: 800, mobile: false };
    pub const PHONE: Viewport = Viewport { width: 375, height: 812, mobile: true };
}

impl fmt::Display for Viewport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

/// What went wrong, with what the browser said and where it was.
pub struct BrowserError {
    /// The command, as the test would say it: "click `#save`", "goto http://…".
    pub action: String,
    /// WebDriver's error code ("no such element", "timeout", …), or ours ("setup", "download").
    pub error: String,
    pub message: String,
    /// The page the browser showed when the command failed, if it could still say.
    pub url: Option<String>,
}

impl BrowserError {
    fn new(action: impl Into<String>, error: impl Into<String>, message: impl Into<String>) -> Self {
        Self { action: action.into(), error: error.into(), message: message.into(), url: None }
    }

    pub fn is_no_such_element(&self) -> bool {
        self.error == "no such element"
    }
}

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.action, self.error, self.message)?;
        if let Some(url) = &self.url {
            write!(f, " (page: {url})")?;
        }
        Ok(())
    }
}

// `unwrap` and a test's `Result` print `Debug`: the readable message, not the struct.
impl fmt::Debug for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for BrowserError {}

pub type Result<T, E = BrowserError> = std::result::Result<T, E>;

/// A cookie as the browser keeps it (W3C's serialization).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cookie {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub secure: bool,
    #[serde(default)]
    pub http_only: bool,
    /// "Strict", "Lax" or "None".
    #[serde(default)]
    pub same_site: Option<String>,
    #[serde(default)]
    pub expiry: Option<u64>,
}

/// The folder screenshots are kept in: `<target>/test-artifacts/web`.
pub fn artifact_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    // <target>/<profile>/deps/<test>-<hash>
    let target = exe.ancestors().nth(3).expect("the test executable is in <target>/<profile>/deps");
    target.join("test-artifacts").join("web")
}

fn binary(var: &str, default: &str) -> Result<PathBuf> {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default));
    if path.is_file() {
        Ok(path)
    } else {
        Err(BrowserError::new(
            "start the browser",
            "setup",
            format!("{} not found; {INSTALL}", path.display()),
        ))
    }
}

/// chromedriver, running until dropped.
struct Driver {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Driver {
    fn log(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    fn delete_session(&self, session: &str) {
        // Drop cannot await: one plain HTTP/1.1 request. Chromedriver then closes Chromium, which
        // killing chromedriver alone would leave running.
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else { return };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let request = format!(
            "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        if stream.write_all(request.as_bytes()).is_err() {
            return;
        }
        // Chromedriver keeps the connection open: read the answer as far as its length says.
        let mut answer = Vec::new();
        let mut chunk = [0; 4096];
        while let Ok(n @ 1..) = stream.read(&mut chunk) {
            answer.extend_from_slice(&chunk[..n]);
            if http_answer_complete(&answer) {
                break;
            }
        }
    }
}

fn http_answer_complete(answer: &[u8]) -> bool {
    let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else { return false };
    let head = String::from_utf8_lossy(&answer[..end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(0);
    answer.len() >= end + 4 + length
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium with one window, until dropped.
pub struct Browser {
    http: reqwest::Client,
    /// `http://127.0.0.1:<port>/session/<id>`
    base: String,
    session: String,
    viewport: Mutex<Viewport>,
    /// Downloads `wait_for_download` has handed out already.
    taken: Mutex<HashSet<PathBuf>>,
    // Fields drop in order: the session is deleted in `drop`, then chromedriver goes, then the
    // download and profile folders.
    driver: Driver,
    downloads: TempDir,
    _dir: TempDir,
}

impl Browser {
    /// A browser showing `about:blank` in a viewport of `viewport`'s size.
    pub async fn start(viewport: Viewport) -> Result<Browser> {
        let chromedriver = binary("CHROMEDRIVER", "/usr/bin/chromedriver")?;
        let chromium = binary("CHROMIUM", "/usr/bin/chromium")?;
        let setup = |message: String| BrowserError::new("start the browser", "setup", message);

        let dir = tempfile::Builder::new().prefix("rainstaff-browser-").tempdir().unwrap();
        let profile = dir.path().join("profile");
        let downloads = tempfile::Builder::new().prefix("rainstaff-downloads-").tempdir().unwrap();
        let log = dir.path().join("chromedriver.log");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log_file = std::fs::File::create(&log).unwrap();
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .spawn()
            .map_err(|e| setup(format!("{}: {e}; {INSTALL}", chromedriver.display())))?;
        let mut driver = Driver { child, port, log };

        let http = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().unwrap();
        let root = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = driver.child.try_wait() {
                return Err(setup(format!("chromedriver exited ({status}): {}", driver.log())));
            }
            let ready = match http.get(format!("{root}/status")).send().await {
                Ok(response) => {
                    response.json::<Value>().await.ok().and_then(|v| v["value"]["ready"].as_bool())
                }
                Err(_) => None,
            };
            if ready == Some(true) {
                break;
            }
            if Instant::now() > deadline {
                return Err(setup(format!("chromedriver not ready after 30 s: {}", driver.log())));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let download_dir = downloads.path().to_str().unwrap().to_string();
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "timeouts": { "implicit": 0, "pageLoad": 30_000, "script": 30_000 },
                    "goog:chromeOptions": {
                        "binary": chromium,
                        "args": [
                            "--headless=new",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-dev-shm-usage",
                            "--no-first-run",
                            "--no-default-browser-check",
                            "--hide-scrollbars",
                            format!("--user-data-dir={}", profile.display()),
                            "--lang=tr-TR",
                            "--window-size=1280,800",
                        ],
                        "prefs": {
                            // --lang does not reach Accept-Language or navigator.language on Linux.
                            "intl.accept_languages": "tr-TR,tr",
                            "download.default_directory": download_dir,
                            "download.prompt_for_download": false,
                            "download.directory_upgrade": true,
                            "safebrowsing.enabled": false,
                        },
                    },
                },
            },
        });
        let response = http
            .post(format!("{root}/session"))
            .json(&capabilities)
            .send()
            .await
            .map_err(|e| setup(format!("new session: {e}")))?;
        let body: Value = response.json().await.map_err(|e| setup(format!("new session: {e}")))?;
        let Some(session) = body["value"]["sessionId"].as_str() else {
            let refusal = format!("{}: {}", body["value"]["error"], body["value"]["message"]);
            return Err(setup(format!("new session refused: {refusal}\nchromedriver: {}", driver.log())));
        };
        let session = session.to_string();
        let browser = Browser {
            http,
            base: format!("{root}/session/{session}"),
            session,
            viewport: Mutex::new(viewport),
            taken: Mutex::new(HashSet::new()),
            driver,
            downloads,
            _dir: dir,
        };
        // Prefs alone do the downloads of this Chromium; headless ones before it needed this.
        browser
            .cdp(
                "Browser.setDownloadBehavior",
                json!({ "behavior": "allow", "downloadPath": download_dir, "eventsEnabled": false }),
            )
            .await?;
        browser.set_viewport(viewport).await?;
        Ok(browser)
    }

    /// Sends one WebDriver command; its `value`, or the error it answered.
    async fn command(
        &self,
        action: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let value = self.raw(method, path, body).await.map_err(|(error, message)| BrowserError {
            action: action.to_string(),
            error,
            message,
            url: None,
        });
        match value {
            Ok(value) => Ok(value),
            Err(mut e) => {
                e.url = self
                    .raw(reqwest::Method::GET, "/url", None)
                    .await
                    .ok()
                    .and_then(|v| v.as_str().map(String::from));
                Err(e)
            }
        }
    }

    async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> std::result::Result<Value, (String, String)> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| ("http".to_string(), e.to_string()))?;
        let status = response.status();
        let mut body: Value = response
            .json()
            .await
            .map_err(|e| ("http".to_string(), format!("HTTP {status}, not a WebDriver answer: {e}")))?;
        let value = body["value"].take();
        match value["error"].as_str() {
            Some(error) => {
                // chromedriver appends "\n  (Session info: chrome=…)"; its stack trace is apart.
                let message = value["message"].as_str().unwrap_or_default();
                let message = message.split("\n  (Session info").next().unwrap_or_default();
                Err((error.to_string(), message.to_string()))
            }
            None if !status.is_success() => Err(("http".to_string(), format!("HTTP {status}: {value}"))),
            None => Ok(value),
        }
    }

    async fn get(&self, action: &str, path: &str) -> Result<Value> {
        self.command(action, reqwest::Method::GET, path, None).await
    }

    async fn post(&self, action: &str, path: &str, body: Value) -> Result<Value> {
        self.command(action, reqwest::Method::POST, path, Some(body)).await
    }

    /// A DevTools command through chromedriver (`goog/cdp/execute`).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value> {
        self.post(&format!("DevTools {cmd}"), "/goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
            .await
    }

    /// Makes the viewport `viewport`'s size, and checks that the page sees it so.
    pub async fn set_viewport(&self, viewport: Viewport) -> Result<()> {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": viewport.width,
                "height": viewport.height,
                "deviceScaleFactor": 1,
                "mobile": viewport.mobile,
            }),
        )
        .await?;
        // A phone lays out a page without `<meta name="viewport">` 980 px wide, zoomed out (as
        // `about:blank`, where the session starts); there, the screen is what has its size.
        let script = "return !arguments[0] || document.querySelector('meta[name=viewport]')
            ? [window.innerWidth, window.innerHeight] : [screen.width, screen.height]";
        let seen = self.execute(script, vec![json!(viewport.mobile)]).await?;
        if seen != json!([viewport.width, viewport.height]) {
            return Err(BrowserError::new(
                format!("set the viewport to {viewport}"),
                "setup",
                format!("the page's [innerWidth, innerHeight] is {seen}"),
            ));
        }
        *self.viewport.lock().unwrap() = viewport;
        Ok(())
    }

    pub fn viewport(&self) -> Viewport {
        *self.viewport.lock().unwrap()
    }

    /// Opens `url` and waits until it has loaded.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.post(&format!("goto {url}"), "/url", json!({ "url": url })).await.map(drop)
    }

    pub async fn current_url(&self) -> Result<String> {
        let url = self.get("current url", "/url").await?;
        Ok(url.as_str().unwrap_or_default().to_string())
    }

    pub async fn title(&self) -> Result<String> {
        let title = self.get("title", "/title").await?;
        Ok(title.as_str().unwrap_or_default().to_string())
    }

    /// The page's HTML as it is now.
    pub async fn source(&self) -> Result<String> {
        let source = self.get("page source", "/source").await?;
        Ok(source.as_str().unwrap_or_default().to_string())
    }

    /// The first element `css` matches; an error ("no such element") if none does.
    pub async fn find(&self, css: &str) -> Result<Element<'_>> {
        let found = self.post(&format!("find `{css}`"), "/element", by_css(css)).await?;
        Element::from_json(self, css, &found)
    }

    /// Every element `css` matches, in document order (none is no error).
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element<'_>>> {
        let found = self.post(&format!("find all `{css}`"), "/elements", by_css(css)).await?;
        elements(self, css, &found)
    }

    /// Polls for an element `css` matches until `timeout`.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element<'_>> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.find(css).await {
                Ok(element) => return Ok(element),
                Err(e) if e.is_no_such_element() && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(mut e) => {
                    if e.is_no_such_element() {
                        e.action = format!("wait {timeout:?} for `{css}`");
                    }
                    return Err(e);
                }
            }
        }
    }

    /// Clicks `element`, which loads another page, and waits for `css` there. The old page keeps
    /// its elements until the new one replaces it, so waiting for `css` alone may find the old
    /// page's, gone a moment later; the old page is marked first, and only an unmarked page counts.
    pub async fn click_to_page(
        &self,
        element: &Element<'_>,
        css: &str,
        timeout: Duration,
    ) -> Result<Element<'_>> {
        self.execute("document.documentElement.dataset.left = 'yes'", vec![]).await?;
        element.click().await?;
        let deadline = Instant::now() + timeout;
        loop {
            // Asked while the page changes, the browser may answer with an error: ask again.
            let marked = self.execute("return document.documentElement.dataset.left === 'yes'", vec![]).await;
            if matches!(marked, Ok(Value::Bool(false))) {
                return self.wait_for(css, deadline.saturating_duration_since(Instant::now())).await;
            }
            if Instant::now() >= deadline {
                let action = format!("click `{}` to a page with `{css}`", element.css);
                return Err(BrowserError::new(
                    action,
                    "timeout",
                    format!("still the old page after {timeout:?}"),
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs `script` as a function body in the page (`arguments[i]` are `args`; an element goes
    /// as `element.arg()`), and gives back what it returns, as JSON.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        let action = format!("execute `{}`", script.lines().next().unwrap_or_default());
        self.post(&action, "/execute/sync", json!({ "script": script, "args": args })).await
    }

    /// The cookies of the page's site, HttpOnly ones too.
    pub async fn cookies(&self) -> Result<Vec<Cookie>> {
        let cookies = self.get("get cookies", "/cookie").await?;
        serde_json::from_value(cookies.clone())
            .map_err(|e| BrowserError::new("get cookies", "bad answer", format!("{e}: {cookies}")))
    }

    pub async fn cookie(&self, name: &str) -> Result<Option<Cookie>> {
        Ok(self.cookies().await?.into_iter().find(|c| c.name == name))
    }

    /// Saves what the viewport shows as `<target>/test-artifacts/web/<name>.png`; its path.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let action = format!("screenshot {name}");
        let encoded = self.get(&action, "/screenshot").await?;
        let png = base64_decode(encoded.as_str().unwrap_or_default())
            .ok_or_else(|| BrowserError::new(&action, "bad answer", "the screenshot is not base64"))?;
        let dir = artifact_dir();
        let path = dir.join(format!("{name}.png"));
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&path, png))
            .map_err(|e| BrowserError::new(&action, "io", format!("{}: {e}", path.display())))?;
        Ok(path)
    }

    /// The folder downloads are saved in.
    pub fn download_dir(&self) -> &Path {
        self.downloads.path()
    }

    /// Waits until a download has completed that this has not given before; its path. Complete
    /// means no `.crdownload` is left and the file kept its size between two looks: Chromium may
    /// give the file its name before the last bytes are in it.
    pub async fn wait_for_download(&self, timeout: Duration) -> Result<PathBuf> {
        let deadline = Instant::now() + timeout;
        let mut sizes: std::collections::HashMap<PathBuf, u64> = Default::default();
        loop {
            let mut names = Vec::new();
            let mut files = Vec::new();
            for entry in std::fs::read_dir(self.download_dir()).into_iter().flatten().flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                names.push(name.clone());
                if !name.starts_with('.') && path.is_file() {
                    files.push(path);
                }
            }
            if !names.iter().any(|n| n.ends_with(".crdownload")) {
                for path in files {
                    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
                    let steady = size > 0 && sizes.insert(path.clone(), size) == Some(size);
                    if steady && self.taken.lock().unwrap().insert(path.clone()) {
                        return Ok(path);
                    }
                }
            }
            if Instant::now() > deadline {
                let mut e = BrowserError::new(
                    format!("wait {timeout:?} for a download"),
                    "download",
                    format!("nothing new completed in {}; it holds {names:?}", self.download_dir().display()),
                );
                e.url = self.current_url().await.ok();
                return Err(e);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.driver.delete_session(&self.session);
    }
}

/// An element of the page the browser shows.
pub struct Element<'b> {
    browser: &'b Browser,
    id: String,
    /// How it was found, for error messages.
    css: String,
}

impl<'b> Element<'b> {
    fn from_json(browser: &'b Browser, css: &str, found: &Value) -> Result<Self> {
        match found[ELEMENT_KEY].as_str() {
            Some(id) => Ok(Self { browser, id: id.to_string(), css: css.to_string() }),
            None => Err(BrowserError::new(format!("find `{css}`"), "bad answer", found.to_string())),
        }
    }

    fn path(&self, command: &str) -> String {
        format!("/element/{}{command}", self.id)
    }

    /// The element as an argument of `Browser::execute`.
    pub fn arg(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    /// The first element inside this one that `css` matches.
    pub async fn find(&self, css: &str) -> Result<Element<'b>> {
        let action = format!("find `{css}` in `{}`", self.css);
        let found = self.browser.post(&action, &self.path("/element"), by_css(css)).await?;
        Element::from_json(self.browser, &format!("{} {css}", self.css), &found)
    }

    pub async fn find_all(&self, css: &str) -> Result<Vec<Element<'b>>> {
        let action = format!("find all `{css}` in `{}`", self.css);
        let found = self.browser.post(&action, &self.path("/elements"), by_css(css)).await?;
        elements(self.browser, &format!("{} {css}", self.css), &found)
    }

    /// Its rendered text, as a user sees it.
    pub async fn text(&self) -> Result<String> {
        let text = self.browser.get(&format!("text of `{}`", self.css), &self.path("/text")).await?;
        Ok(text.as_str().unwrap_or_default().to_string())
    }

    /// An HTML attribute, as written (`None` if it has none).
    pub async fn attr(&self, name: &str) -> Result<Option<String>> {
        let action = format!("attribute {name} of `{}`", self.css);
        let value = self.browser.get(&action, &self.path(&format!("/attribute/{name}"))).await?;
        Ok(value.as_str().map(String::from))
    }

    /// A DOM property, as it is now (an input's `value`, a checkbox's `checked`).
    pub async fn property(&self, name: &str) -> Result<Value> {
        let action = format!("property {name} of `{}`", self.css);
        self.browser.get(&action, &self.path(&format!("/property/{name}"))).await
    }

    /// Types `text` into it, as keystrokes, after what it holds.
    pub async fn send_keys(&self, text: &str) -> Result<()> {
        let action = format!("type {text:?} into `{}`", self.css);
        self.browser.post(&action, &self.path("/value"), json!({ "text": text })).await.map(drop)
    }

    /// Empties an input or textarea.
    pub async fn clear(&self) -> Result<()> {
        self.browser.post(&format!("clear `{}`", self.css), &self.path("/clear"), json!({})).await.map(drop)
    }

    /// Clicks its centre, scrolled into view, as a user would (an error if something covers it).
    pub async fn click(&self) -> Result<()> {
        self.browser.post(&format!("click `{}`", self.css), &self.path("/click"), json!({})).await.map(drop)
    }

    /// Submits the form it is (or is in) as its submit button would: the form's validation runs,
    /// and a submit button it is sends its name and value.
    pub async fn submit(&self) -> Result<()> {
        let script = "const e = arguments[0];
            const form = e instanceof HTMLFormElement ? e : e.form;
            if (!form) throw new Error('not a form, nor in one');
            if (e !== form && e.type === 'submit') form.requestSubmit(e); else form.requestSubmit();";
        self.browser.execute(script, vec![self.arg()]).await.map(drop).map_err(|mut e| {
            e.action = format!("submit `{}`", self.css);
            e
        })
    }

    /// Selects the `<option>` of this `<select>` whose visible text is `text`.
    pub async fn select_by_text(&self, text: &str) -> Result<()> {
        self.select(text, |option| async move { option.text().await }).await
    }

    /// Selects the `<option>` of this `<select>` whose value is `value`.
    pub async fn select_by_value(&self, value: &str) -> Result<()> {
        self.select(value, |option| async move {
            Ok(option.property("value").await?.as_str().unwrap_or_default().to_string())
        })
        .await
    }

    async fn select<F, Fut>(&self, wanted: &str, key: F) -> Result<()>
    where
        F: Fn(Element<'b>) -> Fut,
        Fut: Future<Output = Result<String>>,
    {
        let mut seen = Vec::new();
        for option in self.find_all("option").await? {
            let id = option.id.clone();
            let found = key(option).await?;
            if found.trim() == wanted {
                let option = Element { browser: self.browser, id, css: format!("{} option", self.css) };
                return option.click().await;
            }
            seen.push(found);
        }
        Err(BrowserError {
            action: format!("select {wanted:?} in `{}`", self.css),
            error: "no such option".to_string(),
            message: format!("its options are {seen:?}"),
            url: self.browser.current_url().await.ok(),
        })
    }
}

fn by_css(css: &str) -> Value {
    json!({ "using": "css selector", "value": css })
}

fn elements<'b>(browser: &'b Browser, css: &str, found: &Value) -> Result<Vec<Element<'b>>> {
    let Some(found) = found.as_array() else {
        return Err(BrowserError::new(format!("find all `{css}`"), "bad answer", found.to_string()));
    };
    found.iter().map(|f| Element::from_json(browser, css, f)).collect()
}

/// Standard base64, as WebDriver sends screenshots (small enough not to need a crate).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut bits = 0u32;
    let mut count = 0;
    for byte in text.bytes().filter(|b| !b.is_ascii_whitespace() && *b != b'=') {
        let six = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        bits = bits << 6 | u32::from(six);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Some(out)
}
