//! Static directory targets.
