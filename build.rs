//! Windows builds carry the app icon inside the exe, so Explorer, the taskbar and the Start menu
//! show it; other targets need nothing from here.

fn main() {
    println!("cargo:rerun-if-changed=assets/rainstaff.rc");
    println!("cargo:rerun-if-changed=assets/rainstaff.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows") {
        embed_resource::compile("assets/rainstaff.rc", embed_resource::NONE)
            .manifest_optional()
            .expect("the icon resource compiles (needs windres, from mingw-w64 when cross-building)");
    }
}
