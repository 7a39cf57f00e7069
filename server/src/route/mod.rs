//! Routing: which host and which route a request goes to.
//!
//! Mongrel2 routes by virtual host, then by the longest route prefix, then by an optional
//! Lua-like pattern; nagrel keeps those rules (so Mongrel2 configurations route the same
//! way) with a matcher that cannot be driven into exponential backtracking and a table
//! whose lookups cost the length of the path, not the number of routes.
//!
//! # Layout
//!
//! - [`pattern`]: the Lua-like pattern language ([`Pattern`], [`PatternOptions`],
//!   [`PatternError`]), compiled once, matched as an NFA.
//! - [`table`]: the host and route rules ([`RouteTable`], built from [`HostRoutes`],
//!   answering [`Matched`] or failing with [`RouteError`]).
//!
//! ```
//! use nagrel_server::route::{HostRoutes, RouteTable};
//!
//! let table = RouteTable::new(
//!     vec![HostRoutes {
//!         name: "localhost".to_string(),
//!         matching: "localhost".to_string(),
//!         routes: vec![("/".to_string(), "home"), (r"/posts/(\d+)$".to_string(), "post")],
//!     }],
//!     "localhost",
//! )?;
//! let hit = table.lookup(Some(b"localhost:6767"), b"/posts/7").unwrap();
//! assert_eq!((hit.route, *hit.target), (r"/posts/(\d+)$", "post"));
//! # Ok::<(), nagrel_server::route::RouteError>(())
//! ```

pub mod pattern;
pub mod table;

pub use pattern::{
    Pattern, PatternError, PatternErrorKind, PatternOptions, DEFAULT_MAX_PATTERN_LEN,
};
pub use table::{HostRoutes, Matched, RouteError, RouteTable};
