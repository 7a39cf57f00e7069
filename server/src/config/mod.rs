//! The configuration: typed records, the Mongrel2 `.conf` parser and the sled store.

pub mod model;

pub use model::{Config, Dir, Handler, Host, Proxy, Route, Server, Target};
