//! Fingerprints the stylesheet so pages can link it with a long cache lifetime.

use std::hash::{DefaultHasher, Hash, Hasher};

fn main() {
    println!("cargo:rerun-if-changed=static/academy.css");
    let css = std::fs::read("static/academy.css").unwrap_or_default();
    let mut hasher = DefaultHasher::new();
    css.hash(&mut hasher);
    println!("cargo:rustc-env=ACADEMY_CSS_HASH={:016x}", hasher.finish());
}
