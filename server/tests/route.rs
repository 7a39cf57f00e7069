//! Routing behaviour through the public API: the pattern language against an independent
//! backtracking matcher written the way Lua's is, inputs that make backtracking matchers
//! explode, and route tables checked against the cases of Mongrel2's own routing tests
//! (`tests/routing_tests.c`) plus host matching.

use std::sync::Arc;

use nagrel_server::route::{
    HostRoutes, Pattern, PatternErrorKind, PatternOptions, RouteError, RouteTable,
};

// ---------------------------------------------------------------------------------------
// A reference matcher: Lua 5.1's algorithm (recursive backtracking over the pattern
// source, `\` as the escape, groups skipped, captures dropped) as Mongrel2 runs it.
// Exponential in the worst case, so only used on small inputs.

fn reference_class(c: u8, letter: u8) -> bool {
    let positive = match letter.to_ascii_lowercase() {
        b'a' => c.is_ascii_alphabetic(),
        b'c' => c.is_ascii_control(),
        b'd' => c.is_ascii_digit(),
        b'l' => c.is_ascii_lowercase(),
        b'p' => c.is_ascii_punctuation(),
        b's' => matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'),
        b'u' => c.is_ascii_uppercase(),
        b'w' => c.is_ascii_alphanumeric(),
        b'x' => c.is_ascii_hexdigit(),
        b'z' => c == 0,
        _ => return c == letter,
    };
    if letter.is_ascii_lowercase() {
        positive
    } else {
        !positive
    }
}

/// Index just past the single item starting at `i`.
fn reference_item_end(p: &[u8], i: usize) -> usize {
    match p[i] {
        b'\\' => i + 2,
        b'[' => {
            let mut j = i + 1;
            if p.get(j) == Some(&b'^') {
                j += 1;
            }
            loop {
                let c = p[j];
                j += 1;
                if c == b'\\' {
                    j += 1;
                }
                if p[j] == b']' {
                    return j + 1;
                }
            }
        }
        _ => i + 1,
    }
}

fn reference_set(c: u8, p: &[u8], open: usize, close: usize) -> bool {
    let mut i = open + 1;
    let negated = p[i] == b'^';
    if negated {
        i += 1;
    }
    while i < close {
        if p[i] == b'\\' {
            i += 1;
            if reference_class(c, p[i]) {
                return !negated;
            }
        } else if p[i + 1] == b'-' && i + 2 < close {
            if p[i] <= c && c <= p[i + 2] {
                return !negated;
            }
            i += 2;
        } else if p[i] == c {
            return !negated;
        }
        i += 1;
    }
    negated
}

fn reference_single(c: u8, p: &[u8], i: usize, end: usize) -> bool {
    match p[i] {
        b'.' => true,
        b'\\' => reference_class(c, p[i + 1]),
        b'[' => reference_set(c, p, i, end - 1),
        b => b == c,
    }
}

fn reference_match(s: &[u8], si: usize, p: &[u8], pi: usize) -> bool {
    if pi == p.len() {
        return true;
    }
    match p[pi] {
        b'(' | b')' => reference_match(s, si, p, pi + 1),
        b'$' if pi + 1 == p.len() => si == s.len(),
        _ => {
            let end = reference_item_end(p, pi);
            let here = si < s.len() && reference_single(s[si], p, pi, end);
            match p.get(end) {
                Some(b'?') => {
                    (here && reference_match(s, si + 1, p, end + 1))
                        || reference_match(s, si, p, end + 1)
                }
                Some(b'*' | b'-') => reference_repeat(s, si, p, pi, end),
                Some(b'+') => here && reference_repeat(s, si + 1, p, pi, end),
                _ => here && reference_match(s, si + 1, p, end),
            }
        }
    }
}

/// Every count of the item at `pi`, from zero up (the order does not change the answer).
fn reference_repeat(s: &[u8], mut si: usize, p: &[u8], pi: usize, end: usize) -> bool {
    loop {
        if reference_match(s, si, p, end + 1) {
            return true;
        }
        if si < s.len() && reference_single(s[si], p, pi, end) {
            si += 1;
        } else {
            return false;
        }
    }
}

/// Whether the reference would even accept `p` as our compiler does (balanced groups).
fn balanced(p: &str) -> bool {
    let mut depth = 0i32;
    let bytes = p.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            b'\\' | b'[' => {
                i = reference_item_end(bytes, i);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    depth == 0
}

const TOKENS: &[&str] = &[
    "a", "b", "1", ".", r"\d", r"\A", "[ab]", "[^a]", "[b-1a]", "[]a]", "*", "+", "-", "?", "$",
    "(", ")",
];

fn subjects(max_len: u32) -> Vec<Vec<u8>> {
    let alphabet = [b'a', b'b', b'1', b']'];
    let mut all = vec![Vec::new()];
    let mut last = vec![Vec::new()];
    for _ in 0..max_len {
        let mut longer = Vec::new();
        for s in &last {
            for &c in &alphabet {
                let mut t: Vec<u8> = s.clone();
                t.push(c);
                longer.push(t);
            }
        }
        all.extend(longer.iter().cloned());
        last = longer;
    }
    all
}

fn check_against_reference(pattern: &str, subjects: &[Vec<u8>]) -> usize {
    if !balanced(pattern) {
        let err = Pattern::compile(pattern).err();
        assert!(
            matches!(
                err.map(|e| e.kind()),
                Some(PatternErrorKind::UnclosedGroup | PatternErrorKind::UnopenedGroup)
            ),
            "{pattern:?} is unbalanced and must be refused"
        );
        return 0;
    }
    let compiled = Pattern::compile(pattern).unwrap_or_else(|e| panic!("{pattern:?}: {e}"));
    for s in subjects {
        let expected = reference_match(s, 0, pattern.as_bytes(), 0);
        assert_eq!(
            compiled.matches(s),
            expected,
            "pattern {pattern:?} on {:?}",
            String::from_utf8_lossy(s)
        );
    }
    subjects.len()
}

#[test]
fn agrees_with_backtracking_on_every_short_pattern() {
    let subjects = subjects(4);
    let mut checked = 0;
    let mut patterns = vec![String::new()];
    for _ in 0..3 {
        let mut longer = Vec::new();
        for p in &patterns {
            for t in TOKENS {
                longer.push(format!("{p}{t}"));
            }
        }
        for p in &longer {
            checked += check_against_reference(p, &subjects);
        }
        patterns = longer;
    }
    assert!(checked > 1_000_000, "only {checked} comparisons");
}

#[test]
fn agrees_with_backtracking_on_longer_random_patterns() {
    let subjects = subjects(5);
    // A fixed linear congruential generator: the same patterns on every run.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % bound
    };
    for _ in 0..1500 {
        let len = 4 + next(5);
        let pattern: String = (0..len).map(|_| TOKENS[next(TOKENS.len())]).collect();
        check_against_reference(&pattern, &subjects);
    }
}

// ---------------------------------------------------------------------------------------
// Patterns: behaviour from Lua's manual and Mongrel2's routes.

fn matches(pattern: &str, subject: &str) -> bool {
    Pattern::compile(pattern)
        .unwrap_or_else(|e| panic!("{pattern:?}: {e}"))
        .matches(subject.as_bytes())
}

#[test]
fn mongrel2_route_patterns() {
    assert!(matches(r"(\d+)$", "1234"));
    assert!(!matches(r"(\d+)$", "12a"));
    assert!(matches("([0-9]+)", "1234/testing"));
    assert!(matches("([a-z]-)$", "cadillac"));
    assert!(!matches("([a-z]-)$", "Cadillac"));
    assert!(matches(r"(.*).jpg$", "foo.jpg"));
    assert!(matches(r"(.*).jpg$", "fooxjpg"));
    assert!(!matches(r"(.*)\.jpg$", "fooxjpg"));
    assert!(matches("()$", ""));
    assert!(!matches("()$", "/"));
}

#[test]
fn lazy_and_greedy_agree_on_whether_a_match_exists() {
    for subject in ["", "x", "ab", "a-b", "aab", "abab"] {
        assert_eq!(
            matches("a*b$", subject),
            matches("a-b$", subject),
            "{subject:?}"
        );
        assert_eq!(
            matches(".*b", subject),
            matches(".-b", subject),
            "{subject:?}"
        );
    }
}

#[test]
fn hostile_inputs_finish() {
    let many_a = "a".repeat(20_000);
    // Each of these takes exponential or polynomial-of-high-degree time in a
    // backtracking matcher; here they are one pass over the subject.
    assert!(!matches(&format!("{}b$", ".-".repeat(40)), &many_a));
    assert!(!matches(&format!("{}b$", "a*".repeat(40)), &many_a));
    assert!(!matches(&format!("{}b", "a?".repeat(60)), &many_a));
    assert!(matches(&format!("{}$", "a*".repeat(40)), &many_a));
    assert!(!matches(r"(.*.*.*.*.*.*.*.*)x$", &many_a));
    let slashes = "/".repeat(50_000);
    assert!(!matches(r"(/*/*/*/*/*/*/*/*)[^/]$", &slashes));
    // The same through a route table.
    let table = RouteTable::new(
        vec![HostRoutes {
            name: "h".into(),
            matching: "h".into(),
            routes: vec![(format!("/({}b)$", ".-".repeat(30)), ())],
        }],
        "h",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(table
        .lookup(None, format!("/{many_a}").as_bytes())
        .is_none());
}

#[test]
fn error_positions_for_each_kind() {
    let err = |p: &str| {
        let e = Pattern::compile(p)
            .err()
            .unwrap_or_else(|| panic!("{p:?} compiled"));
        (e.kind(), e.position())
    };
    assert_eq!(err(r"/users/(\d+"), (PatternErrorKind::UnclosedGroup, 7));
    assert_eq!(err(r"/a)"), (PatternErrorKind::UnopenedGroup, 2));
    assert_eq!(err(r"/a/[^x"), (PatternErrorKind::UnclosedSet, 3));
    assert_eq!(err("/a/\\"), (PatternErrorKind::TrailingEscape, 3));
    assert_eq!(err(r"(\b())"), (PatternErrorKind::Unsupported('b'), 1));
    let opts = PatternOptions::new().max_len(3);
    let e = Pattern::compile_with("abcd", opts).err();
    assert_eq!(
        e.map(|e| e.kind()),
        Some(PatternErrorKind::TooLong { max: 3 })
    );
}

// ---------------------------------------------------------------------------------------
// Route tables.

fn host<T>(name: &str, matching: &str, routes: Vec<(&str, T)>) -> HostRoutes<T> {
    HostRoutes {
        name: name.to_string(),
        matching: matching.to_string(),
        routes: routes
            .into_iter()
            .map(|(path, target)| (path.to_string(), target))
            .collect(),
    }
}

fn table<T>(hosts: Vec<HostRoutes<T>>, default_host: &str) -> RouteTable<T> {
    RouteTable::new(hosts, default_host).unwrap_or_else(|e| panic!("{e}"))
}

fn target<T: Copy>(t: &RouteTable<T>, host: Option<&str>, path: &str) -> Option<T> {
    t.lookup(host.map(str::as_bytes), path.as_bytes())
        .map(|m| *m.target)
}

/// The routes of Mongrel2's `test_simple_prefix_matching` and `test_routing_match`.
fn mongrel2_routes() -> RouteTable<u8> {
    table(
        vec![host(
            "localhost",
            "localhost",
            vec![
                ("/", 0),
                ("/users/([0-9]+)", 1),
                ("/users", 2),
                ("/users/people/([0-9]+)$", 3),
                ("/cars-fast/([a-z]-)$", 4),
            ],
        )],
        "localhost",
    )
}

#[test]
fn mongrel2_prefix_matching_cases() {
    let t = mongrel2_routes();
    let at = |path: &str| target(&t, Some("localhost"), path);
    assert_eq!(at("/users/1234/testing"), Some(1));
    assert_eq!(at("/users"), Some(2));
    assert_eq!(at("/users/people/1234"), Some(3));
    assert_eq!(at("/cars-fast/cadillac"), Some(4));
    assert_eq!(at("/users/1234"), Some(1));
    assert_eq!(at("/"), Some(0));
    // A route without a pattern is a plain prefix.
    assert_eq!(at("/usersBLAAHAHAH"), Some(2));
    // `$` stops the longest prefix's pattern, and nothing shorter is tried.
    assert_eq!(at("/users/people/1234/notgonnawork"), None);
    assert_eq!(at("/users/abc"), None);
    // Mongrel2's tree search also hands `/us` to `/users` (a route longer than the path);
    // here a route must be a prefix of the path, so `/` takes it.
    assert_eq!(at("/us"), Some(0));
    assert_eq!(at("/other"), Some(0));
    assert_eq!(at(""), None);
}

#[test]
fn matched_reports_route_prefix_and_host() {
    let t = mongrel2_routes();
    let m = t
        .lookup(Some(b"localhost"), b"/users/people/7")
        .unwrap_or_else(|| panic!("no match"));
    assert_eq!(m.host, "localhost");
    assert_eq!(m.route, "/users/people/([0-9]+)$");
    assert_eq!(m.prefix, "/users/people/");
    let m = t
        .lookup(Some(b"localhost"), b"/users")
        .unwrap_or_else(|| panic!("no match"));
    assert_eq!((m.route, m.prefix), ("/users", "/users"));
}

#[test]
fn same_prefix_patterns_are_all_tried_without_falling_back() {
    // Mongrel2's `test_simple_prefix_pattern_matching`.
    let t = table(
        vec![host(
            "h",
            "",
            vec![("/", 0), ("/img/(.*).jpg$", 1), ("/img/(.*).png$", 2)],
        )],
        "h",
    );
    assert_eq!(target(&t, None, "/img/foo.jpg"), Some(1));
    assert_eq!(target(&t, None, "/img/foo.png"), Some(2));
    assert_eq!(target(&t, None, "/img/foo.bmp"), None);
    assert_eq!(target(&t, None, "/im"), Some(0));
}

#[test]
fn a_plain_route_is_tried_after_the_patterns_of_its_prefix() {
    let t = table(
        vec![host(
            "h",
            "",
            vec![("/img/", 0), (r"/img/(.*)\.jpg$", 1), ("/img/()$", 2)],
        )],
        "h",
    );
    assert_eq!(target(&t, None, "/img/a.jpg"), Some(1));
    assert_eq!(target(&t, None, "/img/"), Some(2));
    assert_eq!(target(&t, None, "/img/a.png"), Some(0));
}

#[test]
fn nested_prefixes_pick_the_longest() {
    let t = table(
        vec![host(
            "h",
            "",
            vec![
                ("/", "root"),
                ("/a", "a"),
                ("/a/", "a/"),
                ("/a/b/c", "abc"),
                ("/a/bb", "abb"),
                ("/b", "b"),
            ],
        )],
        "h",
    );
    let at = |p: &str| target(&t, None, p);
    assert_eq!(at("/"), Some("root"));
    assert_eq!(at("/x"), Some("root"));
    assert_eq!(at("/a"), Some("a"));
    assert_eq!(at("/ab"), Some("a"));
    assert_eq!(at("/a/"), Some("a/"));
    assert_eq!(at("/a/b"), Some("a/"));
    assert_eq!(at("/a/b/"), Some("a/"));
    assert_eq!(at("/a/b/c"), Some("abc"));
    assert_eq!(at("/a/b/cd/e"), Some("abc"));
    assert_eq!(at("/a/bb"), Some("abb"));
    assert_eq!(at("/a/bx"), Some("a/"));
    assert_eq!(at("/bar"), Some("b"));
    assert_eq!(at("x"), None);
}

#[test]
fn exact_and_numeric_routes() {
    let t = table(
        vec![host(
            "h",
            "",
            vec![
                ("/users()$", "list"),
                (r"/users/(\d+)$", "one"),
                (r"/users/(\d+)/posts/(\d+)$", "post"),
            ],
        )],
        "h",
    );
    let at = |p: &str| target(&t, None, p);
    assert_eq!(at("/users"), Some("list"));
    assert_eq!(at("/users/"), None);
    assert_eq!(at("/usersx"), None);
    assert_eq!(at("/users/12"), Some("one"));
    assert_eq!(at("/users/12/posts/3"), Some("post"));
    assert_eq!(at("/users/12/posts/x"), None);
    assert_eq!(at("/users/x"), None);
}

#[test]
fn a_route_starting_with_a_pattern_has_an_empty_prefix() {
    let t = table(vec![host("h", "", vec![(r"(.*)\.php$", 1)])], "h");
    let m = t
        .lookup(None, b"/index.php")
        .unwrap_or_else(|| panic!("no match"));
    assert_eq!((m.prefix, *m.target), ("", 1));
    assert_eq!(target(&t, None, "/index.html"), None);
}

#[test]
fn paths_are_bytes() {
    let t = table(
        vec![host("h", "", vec![("/caf\u{e9}/", 1), ("/(.+)$", 2)])],
        "h",
    );
    assert_eq!(target(&t, None, "/caf\u{e9}/menu"), Some(1));
    assert_eq!(t.lookup(None, b"/\xff\xfe").map(|m| *m.target), Some(2));
}

#[test]
fn hosts_by_name_port_and_case() {
    let t = table(
        vec![
            host("main", "example.com", vec![("/", "main")]),
            host("api", "api.example.com", vec![("/", "api")]),
            host("v6", "[::1]", vec![("/", "v6")]),
        ],
        "main",
    );
    let at = |h: &str| target(&t, Some(h), "/");
    assert_eq!(at("api.example.com"), Some("api"));
    assert_eq!(at("API.Example.COM"), Some("api"));
    assert_eq!(at("api.example.com:8080"), Some("api"));
    assert_eq!(at("api.example.com."), Some("api"));
    assert_eq!(at("[::1]:6767"), Some("v6"));
    // A plain name is not a suffix: Mongrel2 would route these to `api`.
    assert_eq!(at("x.api.example.com"), Some("main"));
    assert_eq!(at("evilapi.example.com"), Some("main"));
    assert_eq!(t.resolve_host(Some(b"nowhere")), "main");
    assert_eq!(t.resolve_host(Some(b"")), "main");
    assert_eq!(t.resolve_host(Some(b":80")), "main");
    assert_eq!(t.resolve_host(None), "main");
    assert_eq!(t.default_host(), "main");
}

#[test]
fn host_patterns_match_by_suffix() {
    let t = table(
        vec![
            host("default", "localhost", vec![("/", "default")]),
            host("any", "(.*)example.com", vec![("/", "any")]),
            host("sub", r"(\w+)\.api.example.com", vec![("/", "sub")]),
            host("exact", "www.example.com", vec![("/", "exact")]),
        ],
        "default",
    );
    let at = |h: &str| target(&t, Some(h), "/");
    assert_eq!(at("example.com"), Some("any"));
    assert_eq!(at("foo.example.com"), Some("any"));
    assert_eq!(at("FOO.EXAMPLE.COM:80"), Some("any"));
    assert_eq!(at("notexample.com"), Some("any"));
    assert_eq!(at("www.example.com"), Some("exact"));
    assert_eq!(at("v2.api.example.com"), Some("sub"));
    // The longest suffix, `.api.example.com`, is chosen and its pattern fails: the
    // default host, not the shorter `example.com`.
    assert_eq!(at("a.b.api.example.com"), Some("default"));
    assert_eq!(at("example.org"), Some("default"));
}

#[test]
fn mongrel2_reversed_host_cases() {
    // Mongrel2's `test_routing_match_reversed`.
    let t = table(
        vec![
            host("d", "default", vec![("/", 0)]),
            host("x", "(X+)foo", vec![("/", 1)]),
            host("m", "moo", vec![("/", 2)]),
            host("f", "fio", vec![("/", 3)]),
        ],
        "d",
    );
    let at = |h: &str| target(&t, Some(h), "/");
    assert_eq!(at("Xfoo"), Some(1));
    assert_eq!(at("moo"), Some(2));
    assert_eq!(at("fio"), Some(3));
    assert_eq!(at("XXXXXXXXXfoo"), Some(1));
    assert_eq!(at("YYYfoo"), Some(0));
    assert_eq!(at("XXXoo"), Some(0));
    assert_eq!(at("XXX.stuff.foo"), Some(0));
    // Host patterns ignore case.
    assert_eq!(at("xxFOO"), Some(1));
}

#[test]
fn host_patterns_with_the_same_suffix_are_tried_in_order() {
    let t = table(
        vec![
            host("d", "d", vec![("/", 0)]),
            host("digits", r"(\d+)\.example.com", vec![("/", 1)]),
            host("words", r"(\a+)\.example.com", vec![("/", 2)]),
            host("catchall", "(.*)", vec![("/", 3)]),
        ],
        "d",
    );
    let at = |h: &str| target(&t, Some(h), "/");
    assert_eq!(at("12.example.com"), Some(1));
    assert_eq!(at("ab.example.com"), Some(2));
    assert_eq!(at("a1.example.com"), Some(0));
    assert_eq!(at("anything.else"), Some(3));
    assert_eq!(at("d"), Some(0));
}

#[test]
fn a_host_with_no_matching_route_is_a_miss_not_the_default() {
    let t = table(
        vec![
            host("main", "main", vec![("/", 0)]),
            host("api", "api", vec![("/v1/", 1)]),
        ],
        "main",
    );
    assert_eq!(target(&t, Some("api"), "/v1/x"), Some(1));
    assert_eq!(target(&t, Some("api"), "/"), None);
}

#[test]
fn empty_matching_means_the_name() {
    let t = table(
        vec![
            host("a", "", vec![("/", 'a')]),
            host("B.example", "", vec![("/", 'b')]),
        ],
        "a",
    );
    assert_eq!(target(&t, Some("b.example"), "/"), Some('b'));
}

#[test]
fn targets_need_not_be_clone() {
    struct Handler(&'static str);
    let t = table(
        vec![host(
            "h",
            "",
            vec![
                ("/a", Arc::new(Handler("a"))),
                ("/b", Arc::new(Handler("b"))),
            ],
        )],
        "h",
    );
    let m = t.lookup(None, b"/b").unwrap_or_else(|| panic!("no match"));
    assert_eq!(m.target.0, "b");
    let names: Vec<&str> = t.routes().map(|(_, _, h)| h.0).collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn many_routes() {
    let routes: Vec<(String, usize)> = (0..5_000)
        .map(|i| (format!("/r{i}/"), i))
        .chain([("/r".to_string(), usize::MAX)])
        .collect();
    let t = table(
        vec![HostRoutes {
            name: "h".into(),
            matching: "h".into(),
            routes,
        }],
        "h",
    );
    for i in (0..5_000).step_by(7) {
        assert_eq!(target(&t, None, &format!("/r{i}/x")), Some(i));
        // `/r12` is not `/r12/`: it falls to the longest prefix, `/r`.
        assert_eq!(target(&t, None, &format!("/r{i}")), Some(usize::MAX));
    }
}

// ---------------------------------------------------------------------------------------
// Build errors.

#[test]
fn missing_default_host_is_refused() {
    let err = RouteTable::new(vec![host("a", "a", vec![("/", ())])], "localhost").err();
    assert_eq!(
        err,
        Some(RouteError::MissingDefaultHost {
            name: "localhost".into()
        })
    );
    let err = RouteTable::<()>::new(Vec::new(), "localhost").err();
    assert!(matches!(err, Some(RouteError::MissingDefaultHost { .. })));
}

#[test]
fn bad_route_names_host_route_and_position() {
    let err = RouteTable::new(
        vec![host("main", "main", vec![("/ok", ()), ("/x/([a-z", ())])],
        "main",
    )
    .err()
    .unwrap_or_else(|| panic!("built"));
    let RouteError::BadRoute { host, route, error } = &err else {
        panic!("{err:?}");
    };
    assert_eq!((host.as_str(), route.as_str()), ("main", "/x/([a-z"));
    assert_eq!(
        (error.kind(), error.position()),
        (PatternErrorKind::UnclosedSet, 4)
    );
    assert_eq!(
        err.to_string(),
        "host `main`, route `/x/([a-z`: unclosed `[` at byte 4"
    );
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn bad_host_matching_names_the_host() {
    for (matching, kind, position) in [
        ("(.*example.com", PatternErrorKind::UnclosedGroup, 0),
        (".*)example.com", PatternErrorKind::UnopenedGroup, 2),
        ("(.*)example(.com", PatternErrorKind::UnclosedGroup, 11),
        ("([a-)x", PatternErrorKind::UnclosedSet, 1),
    ] {
        let err = RouteTable::new(vec![host("h", matching, vec![("/", ())])], "h").err();
        let Some(RouteError::BadHost {
            host,
            matching: m,
            error,
        }) = err
        else {
            panic!("{matching:?}: {err:?}");
        };
        assert_eq!((host.as_str(), m.as_str()), ("h", matching));
        assert_eq!(
            (error.kind(), error.position()),
            (kind, position),
            "{matching:?}"
        );
    }
}

#[test]
fn duplicates_are_refused() {
    let err = RouteTable::new(
        vec![host("h", "h", vec![("/a", ()), ("/b", ()), ("/a", ())])],
        "h",
    )
    .err();
    assert_eq!(
        err,
        Some(RouteError::DuplicateRoute {
            host: "h".into(),
            route: "/a".into()
        })
    );
    let err = RouteTable::new(
        vec![host("h", "one", vec![("/", ())]), host("h", "two", vec![])],
        "h",
    )
    .err();
    assert_eq!(
        err,
        Some(RouteError::DuplicateHostName { name: "h".into() })
    );
    let err = RouteTable::new(
        vec![
            host("a", "Example.com", vec![("/", ())]),
            host("b", "example.COM", vec![]),
        ],
        "a",
    )
    .err();
    assert_eq!(
        err,
        Some(RouteError::DuplicateHostMatching {
            first: "a".into(),
            second: "b".into(),
            matching: "example.COM".into()
        })
    );
    let err = RouteTable::new(
        vec![
            host("a", "(.*)x.org", vec![("/", ())]),
            host("b", "(.*)X.org", vec![]),
        ],
        "a",
    )
    .err();
    assert!(
        matches!(err, Some(RouteError::DuplicateHostMatching { ref first, ref second, .. }) if first == "a" && second == "b"),
        "{err:?}"
    );
}

#[test]
fn pattern_length_limit_applies_to_routes_and_hosts() {
    let long_route = format!("/x/({})", "a".repeat(40));
    let err = RouteTable::with_max_pattern_len(
        vec![host("h", "h", vec![(long_route.as_str(), ())])],
        "h",
        16,
    )
    .err();
    assert!(
        matches!(err, Some(RouteError::BadRoute { error, .. }) if error.kind() == PatternErrorKind::TooLong { max: 16 }),
        "{err:?}"
    );
    let long_host = format!("({})example.com", "a".repeat(40));
    let err = RouteTable::with_max_pattern_len(
        vec![host("h", long_host.as_str(), vec![("/", ())])],
        "h",
        16,
    )
    .err();
    assert!(matches!(err, Some(RouteError::BadHost { .. })), "{err:?}");
    // Exactly at the limit is fine, including the host's anchored head.
    let at_limit = "(.*)example.org";
    assert!(RouteTable::with_max_pattern_len(
        vec![host("h", at_limit, vec![("/", ())])],
        "h",
        at_limit.len(),
    )
    .is_ok());
}
