//! The dashboard in a real headless Chromium: a manager's and an administrator's day. Sign in,
//! read the figures, filter by region, revoke a device, download the month workbook, switch to
//! English, at a desktop's and a phone's width. Screenshots of each page are kept in
//! `target/test-artifacts/web/`.

mod common;

use std::io::Cursor;
use std::time::Duration;

use calamine::{Reader, Xlsx};
use common::Harness;
use common::browser::{Browser, BrowserError, Viewport};
use common::visitor::{ADMIN_PASSWORD, MANAGER_PASSWORD, company};

const WAIT: Duration = Duration::from_secs(10);

async fn sign_in(b: &Browser, h: &Harness, username: &str, password: &str) -> Result<(), BrowserError> {
    b.goto(&h.url("/")).await?;
    b.wait_for("#username", WAIT).await?;
    b.find("#username").await?.send_keys(username).await?;
    b.find("#password").await?.send_keys(password).await?;
    b.click_to_page(&b.find("#sign-in").await?, "#worked", WAIT).await?;
    Ok(())
}

#[tokio::test]
async fn an_administrator_filters_revokes_and_downloads() -> Result<(), BrowserError> {
    let h = Harness::start().await;
    let company = company(&h).await;
    let b = Browser::start(Viewport::DESKTOP).await?;
    b.goto(&h.url("/")).await?;
    b.wait_for("#username", WAIT).await?;
    b.screenshot("login-1280x800").await?;
    sign_in(&b, &h, "admin", ADMIN_PASSWORD).await?;
    let session = b.cookie("rs_session").await?.expect("a session cookie");
    assert!(session.http_only, "page scripts could read the session");
    assert_eq!(session.same_site.as_deref(), Some("Strict"));

    // November 2026, every region, then Ankara alone.
    let month = b.find("input[name=month]").await?;
    month.clear().await?;
    b.execute("arguments[0].value = '2026-11'", vec![month.arg()]).await?;
    b.click_to_page(&b.find("#apply").await?, "#worked", WAIT).await?;
    assert_eq!(b.find("#worked").await?.text().await?, "56:00");
    assert_eq!(b.find("#count-vehicles").await?.text().await?, "1");
    assert!(b.find("#alerts").await?.text().await?.contains("35 ABC 123"));
    b.screenshot("dashboard-1280x800").await?;
    b.find("select[name=region]").await?.select_by_value("Ankara").await?;
    b.click_to_page(&b.find("#apply").await?, "#worked", WAIT).await?;
    assert!(b.current_url().await?.contains("region=Ankara"));
    assert_eq!(b.find("#worked").await?.text().await?, "40:00");
    assert_eq!(b.find("#count-employees").await?.text().await?, "1");
    b.set_viewport(Viewport::PHONE).await?;
    b.screenshot("dashboard-375x812").await?;
    let overflow =
        b.execute("return document.documentElement.scrollWidth <= window.innerWidth", vec![]).await?;
    assert_eq!(overflow, serde_json::json!(true), "the page is wider than a phone");
    b.set_viewport(Viewport::DESKTOP).await?;

    // Revoke the Ankara PC: its row says so and the PC can no longer sync.
    b.goto(&h.url("/devices")).await?;
    let row = format!("tr[data-device=\"{}\"]", company.ankara.id);
    b.find(&format!("{row} button")).await?.click().await?;
    b.wait_for(&format!("{row}.revoked"), WAIT).await?;
    b.screenshot("devices-1280x800").await?;
    let (status, _) = company.ankara.push_raw(&[]).await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
    // The audit trail names who revoked which PC.
    b.goto(&h.url("/audit?action=device_revoked")).await?;
    let trail = b.find("#audit").await?.text().await?;
    assert!(trail.contains("user:admin") && trail.contains("Bilgisayar iptal edildi"), "{trail}");
    assert!(trail.contains("ANKARA-PC1"), "{trail}");
    b.screenshot("audit-1280x800").await?;

    // The month workbook of İzmir.
    b.goto(&h.url("/reports?month=2026-11")).await?;
    b.find("select[name=region]").await?.select_by_value("Izmir").await?;
    b.find("#download").await?.click().await?;
    let file = b.wait_for_download(WAIT).await?;
    assert!(file.file_name().unwrap().to_string_lossy().ends_with("puantaj-izmir-2026-11.xlsx"), "{file:?}");
    let book = Xlsx::new(Cursor::new(std::fs::read(&file).unwrap())).unwrap();
    assert!(book.sheet_names().iter().any(|n| n.contains("Çağrı")), "{:?}", book.sheet_names());

    // English, remembered on the next page.
    b.goto(&h.url("/dashboard?lang=en")).await?;
    b.goto(&h.url("/employees")).await?;
    assert_eq!(b.find("h1").await?.text().await?.split(' ').next(), Some("Employees"));
    Ok(())
}

#[tokio::test]
async fn a_manager_reads_their_region_on_a_phone() -> Result<(), BrowserError> {
    let h = Harness::start().await;
    let company = company(&h).await;
    let b = Browser::start(Viewport::PHONE).await?;
    b.goto(&h.url("/")).await?;
    b.wait_for("#username", WAIT).await?;
    b.screenshot("login-375x812").await?;
    sign_in(&b, &h, "ayse.mudur", MANAGER_PASSWORD).await?;
    assert!(b.find_all("select[name=region]").await?.is_empty(), "a manager has no region to choose");
    b.goto(&h.url(&format!("/employees/{}?month=2026-11", company.izmir_employee))).await?;
    assert_eq!(b.find("#employee-name").await?.text().await?, "Çağrı Öztürk");
    assert_eq!(b.find("#worked").await?.text().await?, "16:00");
    b.screenshot("employee-375x812").await?;
    b.goto(&h.url(&format!("/employees/{}", company.ankara_employee))).await?;
    assert!(b.find("#error").await?.text().await?.contains("Böyle bir sayfa ya da kayıt yok"));
    b.click_to_page(&b.find("#logout").await?, "#username", WAIT).await?;
    assert!(b.cookie("rs_session").await?.is_none());
    Ok(())
}

#[tokio::test]
async fn a_manager_reads_the_months_puantaj_on_a_desktop_and_a_phone() -> Result<(), BrowserError> {
    let h = Harness::start().await;
    company(&h).await;
    let b = Browser::start(Viewport::DESKTOP).await?;
    sign_in(&b, &h, "ayse.mudur", MANAGER_PASSWORD).await?;
    b.find("nav a[href=\"/puantaj\"]").await?.click().await?;
    b.wait_for("#puantaj", WAIT).await?;
    let month = b.find("input[name=month]").await?;
    b.execute("arguments[0].value = '2026-11'", vec![month.arg()]).await?;
    b.click_to_page(&b.find("#apply").await?, "#puantaj", WAIT).await?;
    let row = b.find("#puantaj tbody tr").await?.text().await?;
    assert!(row.starts_with("Çağrı Öztürk"), "{row}");
    assert!(row.contains("HT Ç 8 Ç 8"), "1 November a Sunday, then two days worked: {row}");
    assert!(b.find("#legend").await?.text().await?.contains("Hafta tatili"));
    b.screenshot("puantaj-1280x800").await?;

    // On a phone the grid scrolls inside its frame; the page does not.
    b.set_viewport(Viewport::PHONE).await?;
    let fits = b.execute("return document.documentElement.scrollWidth <= window.innerWidth", vec![]).await?;
    assert_eq!(fits, serde_json::json!(true), "the page is wider than a phone");
    b.screenshot("puantaj-375x812").await?;
    Ok(())
}
