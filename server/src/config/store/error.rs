//! Why a store operation failed.

use core::fmt;
use std::path::PathBuf;

use crate::config::settings::SettingsError;

/// A store operation failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// sled reported an error (I/O, a damaged database, ...).
    Sled(sled::Error),
    /// Another process (a running server, another command) has the store open.
    Locked(PathBuf),
    /// The store was written by a newer nagrel with a record layout this one does not
    /// know; it is left untouched.
    NewerSchema {
        /// The store's schema version.
        found: u64,
        /// The newest schema version this build reads.
        supported: u64,
    },
    /// A record that cannot be read back: wrong encoding, a missing field, a reference
    /// to a record that does not exist.
    Corrupt {
        /// The tree holding it.
        tree: &'static str,
        /// Its key, printable.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// `set_setting` with a value its key does not accept.
    Setting(SettingsError),
    /// Other writers kept changing the store while this operation retried.
    Busy,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Sled(err) => write!(f, "config store: {err}"),
            StoreError::Locked(path) => write!(
                f,
                "config store {} is in use by another process (a running nagrel?)",
                path.display()
            ),
            StoreError::NewerSchema { found, supported } => write!(
                f,
                "config store has schema version {found}, newer than the {supported} this \
                 nagrel reads; use a newer nagrel or load the configuration into a new store"
            ),
            StoreError::Corrupt { tree, key, reason } => {
                write!(f, "config store record {tree}/{key} is corrupt: {reason}")
            }
            StoreError::Setting(err) => err.fmt(f),
            StoreError::Busy => write!(
                f,
                "config store kept changing under concurrent writers; try again"
            ),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Sled(err) => Some(err),
            StoreError::Setting(err) => Some(err),
            _ => None,
        }
    }
}

impl From<sled::Error> for StoreError {
    fn from(err: sled::Error) -> Self {
        StoreError::Sled(err)
    }
}

impl From<SettingsError> for StoreError {
    fn from(err: SettingsError) -> Self {
        StoreError::Setting(err)
    }
}
