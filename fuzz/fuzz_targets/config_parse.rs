//! The Mongrel2 config parser on any input: nothing panics, errors point inside the
//! input, and a config that parses parses the same way again with its settings typed.
//!
//! Run: `cargo fuzz run config_parse` from the repository root (nightly toolchain).

#![no_main]

use libfuzzer_sys::fuzz_target;
use nagrel_server::config::parse::parse_config_bytes;
use nagrel_server::config::Settings;

fuzz_target!(|data: &[u8]| {
    match parse_config_bytes(data) {
        Ok(config) => {
            assert_eq!(parse_config_bytes(data).ok(), Some(config.clone()));
            // Settings that parsed were validated: typing them again cannot fail.
            assert!(Settings::from_map(&config.settings).is_ok());
        }
        Err(e) => {
            assert!(e.offset() <= data.len(), "offset {} past the input", e.offset());
            assert!(e.line() >= 1 && e.column() >= 1);
        }
    }
});
