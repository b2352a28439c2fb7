//! Tells the tests which optional tools this machine has, so that a test
//! whose tool is missing is reported as ignored by `cargo test` itself
//! rather than passing without running. Nothing in the library or binary
//! depends on it.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_chromium)");
    // The directory, not the file: a missing file would rerun this script
    // (and rebuild the crate) on every build.
    println!("cargo::rerun-if-changed=/usr/bin");
    println!("cargo::rerun-if-changed=build.rs");
    if std::path::Path::new("/usr/bin/chromium").exists() {
        println!("cargo::rustc-cfg=has_chromium");
    }
}
