//! Route patterns and tables on any input: compiling and matching never panic, matching
//! is anchored at the start (a match of a subject is a match of the subject with more
//! bytes appended, unless the pattern ends in `$`), and a table built from the pattern
//! routes a path the way the pattern alone does.
//!
//! Input: `pattern NUL subject`. Run: `cargo fuzz run route_match` (nightly toolchain).

#![no_main]

use libfuzzer_sys::fuzz_target;
use nagrel_server::route::{HostRoutes, Pattern, RouteTable};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let Ok(source) = std::str::from_utf8(&data[..split]) else {
        return;
    };
    let subject = data.get(split + 1..).unwrap_or_default();
    let Ok(pattern) = Pattern::compile(source) else {
        return;
    };
    let matched = pattern.matches(subject);
    assert_eq!(pattern.matches(subject), matched, "matching is deterministic");
    if matched && !source.ends_with('$') {
        let mut longer = subject.to_vec();
        longer.extend_from_slice(b"/tail");
        assert!(pattern.matches(&longer), "an unanchored match survives more input");
    }
    // As a route: a path made of the literal prefix and the subject.
    let route = format!("/r/({source})");
    let host = HostRoutes {
        name: "h".to_string(),
        matching: "h".to_string(),
        routes: vec![(route, ())],
    };
    if let Ok(table) = RouteTable::new(vec![host], "h") {
        let mut path = b"/r/".to_vec();
        path.extend_from_slice(subject);
        let _ = table.lookup(Some(b"h"), &path);
    }
});
