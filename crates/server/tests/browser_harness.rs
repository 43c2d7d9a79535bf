//! The browser harness of the dashboard's tests (`common/browser.rs`) against a page of its own,
//! served by a small router in the test: typing, choosing, submitting, reading, cookies,
//! screenshots and downloads through a real headless Chromium.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use axum::Form;
use axum::Router;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use common::browser::{Browser, BrowserError, Viewport};

const WAIT: Duration = Duration::from_secs(10);
const CSV: &str = "ad;saat\nAyşe;8\n";

const PAGE: &str = r#"<!doctype html>
<html lang="tr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Deneme sayfası</title>
<style>body { margin: 0; font-family: sans-serif; } main { padding: 16px; }</style>
</head><body><main>
<h1 id="heading">Merhaba</h1>
<form id="form" method="post" action="/echo">
  <input id="name" name="name" value="eski">
  <select id="region" name="region">
    <option value="ist">İstanbul</option>
    <option value="ank">Ankara</option>
    <option value="izm">İzmir</option>
  </select>
  <button id="send" type="submit" name="button" value="gönder">Gönder</button>
</form>
<a id="download" href="/puantaj.csv">Puantajı indir</a>
</main></body></html>"#;

async fn page() -> impl IntoResponse {
    ([(header::SET_COOKIE, "s=1; HttpOnly; SameSite=Strict")], Html(PAGE))
}

async fn echo(headers: HeaderMap, Form(form): Form<HashMap<String, String>>) -> Html<String> {
    let field = |name: &str| escape(form.get(name).map_or("(none)", String::as_str));
    let language = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("(none)");
    Html(format!(
        "<!doctype html><title>Gönderildi</title><p id=got-name>{}</p><p id=got-region>{}</p>\
         <p id=got-button>{}</p><p id=got-language>{}</p>",
        field("name"),
        field("region"),
        field("button"),
        escape(language)
    ))
}

async fn download() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"puantaj.csv\""),
        ],
        CSV,
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The test page on a free port of 127.0.0.1; its root URL, with no trailing slash.
async fn serve() -> String {
    let app =
        Router::new().route("/", get(page)).route("/echo", post(echo)).route("/puantaj.csv", get(download));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// A PNG's width and height, from its IHDR chunk (the first, right after the signature).
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.len() > 24, "{} bytes is no PNG", png.len());
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "no PNG signature");
    assert_eq!(&png[12..16], b"IHDR", "the PNG does not start with IHDR");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[tokio::test]
async fn types_chooses_submits_and_reads_the_answer() -> Result<(), BrowserError> {
    let site = serve().await;
    let browser = Browser::start(Viewport::DESKTOP).await?;
    browser.goto(&format!("{site}/")).await?;
    assert_eq!(browser.title().await?, "Deneme sayfası");
    assert_eq!(browser.find("#heading").await?.text().await?, "Merhaba");
    assert_eq!(browser.find_all("#region option").await?.len(), 3);

    let name = browser.find("#name").await?;
    assert_eq!(name.attr("value").await?.as_deref(), Some("eski"));
    name.clear().await?;
    name.send_keys("Ayşe Yılmaz").await?;
    // The attribute is what the HTML said; the property is what the user typed.
    assert_eq!(name.attr("value").await?.as_deref(), Some("eski"));
    assert_eq!(name.property("value").await?, "Ayşe Yılmaz");

    let region = browser.find("#region").await?;
    region.select_by_text("Ankara").await?;
    assert_eq!(region.property("value").await?, "ank");
    region.select_by_value("izm").await?;
    assert_eq!(region.property("value").await?, "izm");
    let missing = region.select_by_text("Trabzon").await.unwrap_err();
    assert!(missing.to_string().contains("İstanbul"), "{missing}");

    browser.find("#send").await?.click().await?;
    assert_eq!(browser.wait_for("#got-name", WAIT).await?.text().await?, "Ayşe Yılmaz");
    assert_eq!(browser.find("#got-region").await?.text().await?, "izm");
    assert_eq!(browser.find("#got-button").await?.text().await?, "gönder");
    let language = browser.find("#got-language").await?.text().await?;
    assert!(language.starts_with("tr-TR"), "Accept-Language: {language}");
    assert_eq!(browser.execute("return navigator.language", vec![]).await?, "tr-TR");
    assert_eq!(browser.current_url().await?, format!("{site}/echo"));
    assert_eq!(browser.title().await?, "Gönderildi");

    // Submitting from the field (as Enter would), not the button, sends no button.
    browser.goto(&format!("{site}/")).await?;
    let name = browser.find("#name").await?;
    name.send_keys("!").await?;
    name.submit().await?;
    assert_eq!(browser.wait_for("#got-button", WAIT).await?.text().await?, "(none)");
    assert_eq!(browser.find("#got-name").await?.text().await?, "eski!");

    // A failure names the command, WebDriver's error and the page.
    let error = browser.find("#nothing-here").await.err().expect("no element matches #nothing-here");
    assert!(error.is_no_such_element(), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("find `#nothing-here`") && message.contains(&format!("{site}/echo")),
        "{message}"
    );
    let error = browser.wait_for("#nothing-here", Duration::from_millis(300)).await.err().unwrap();
    assert!(error.to_string().starts_with("wait 300ms for `#nothing-here`"), "{error}");
    Ok(())
}

#[tokio::test]
async fn reads_cookie_flags_the_page_cannot() -> Result<(), BrowserError> {
    let site = serve().await;
    let browser = Browser::start(Viewport::DESKTOP).await?;
    browser.goto(&format!("{site}/")).await?;
    let cookie = browser.cookie("s").await?.expect("the page sets cookie s");
    assert_eq!(cookie.value, "1");
    assert!(cookie.http_only, "{cookie:?}");
    assert_eq!(cookie.same_site.as_deref(), Some("Strict"), "{cookie:?}");
    assert!(!cookie.secure, "{cookie:?}");
    // HttpOnly indeed: the page's scripts do not see it.
    assert_eq!(browser.execute("return document.cookie", vec![]).await?, "");
    Ok(())
}

#[tokio::test]
async fn screenshots_at_desktop_and_phone_width() -> Result<(), BrowserError> {
    let site = serve().await;
    let browser = Browser::start(Viewport::PHONE).await?;
    browser.goto(&format!("{site}/")).await?;
    for viewport in [Viewport::PHONE, Viewport::DESKTOP, Viewport::PHONE] {
        browser.set_viewport(viewport).await?;
        let seen = browser.execute("return [window.innerWidth, window.innerHeight]", vec![]).await?;
        assert_eq!(seen, serde_json::json!([viewport.width, viewport.height]));
        // The page's layout follows: the form is as wide as the viewport less its padding.
        let form = browser.execute("return document.getElementById('form').offsetWidth", vec![]).await?;
        assert_eq!(form, viewport.width - 32);

        let name = format!("harness-{viewport}");
        let path = browser.screenshot(&name).await?;
        assert!(path.ends_with(format!("test-artifacts/web/{name}.png")), "{}", path.display());
        let png = std::fs::read(&path).unwrap();
        assert_eq!(png_size(&png), (viewport.width, viewport.height), "{}", path.display());
    }
    assert_eq!(browser.viewport(), Viewport::PHONE);
    Ok(())
}

#[tokio::test]
async fn a_download_lands_in_the_download_folder() -> Result<(), BrowserError> {
    let site = serve().await;
    let browser = Browser::start(Viewport::DESKTOP).await?;
    browser.goto(&format!("{site}/")).await?;
    browser.find("#download").await?.click().await?;
    let path = browser.wait_for_download(WAIT).await?;
    assert_eq!(path.file_name().unwrap(), "puantaj.csv");
    assert_eq!(path.parent().unwrap(), browser.download_dir());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), CSV);
    // Handed out once: the next wait is for another download.
    let error = browser.wait_for_download(Duration::from_millis(300)).await.unwrap_err();
    assert!(error.to_string().contains("puantaj.csv"), "{error}");
    Ok(())
}
