//! The configuration: typed records, the Mongrel2 `.conf` parser and the sled store.
//!
//! A configuration starts as a Mongrel2 `.conf` file ([`parse`]), becomes a [`Config`]
//! ([`model`]), and is imported into a [`Store`] ([`store`]) that the server loads and
//! watches. [`Settings`] gives the key/value settings their types; [`mimetypes`] is the
//! standard extension table every configuration starts from.
//!
//! # Layout
//!
//! - [`model`]: [`Config`] and its records.
//! - [`parse`]: the `.conf` language, [`parse_config`] and [`ConfigError`].
//! - [`settings`]: [`Settings`] and [`SettingsError`].
//! - [`mimetypes`]: Mongrel2's standard table and lookups by path.
//! - [`store`]: the sled [`Store`], live reload through [`store::changed`].

pub mod mimetypes;
pub mod model;
pub mod parse;
pub mod settings;
pub mod store;

pub use model::{Config, Dir, Handler, Host, Proxy, Route, Server, Target};
pub use parse::{parse_config, ConfigError, ConfigErrorKind};
pub use settings::{Settings, SettingsError};
pub use store::{Store, StoreError};
