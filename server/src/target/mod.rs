//! Route targets: handlers over ZeroMQ, static directories, HTTP proxies.

pub mod dir;
pub mod handler;
pub mod proxy;
