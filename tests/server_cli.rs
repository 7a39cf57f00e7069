//! The `nagrel` binary's server commands, run as programs: `load`, `servers`, `hosts`,
//! `routes`, `fsm --dot`, and `start` picking up a `nagrel load` made while it runs.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn nagrel(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nagrel"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// A scratch directory, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("nagrel-cli-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server process, killed at the end.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn config(port: u16, route: &str) -> String {
    format!(
        "main = Server(uuid='0d5c3b5e-1f7e-4c55-9d6b-2a7d3e0c9b11', name='main', \
         bind_addr='127.0.0.1', port={port}, default_host='localhost', chroot='./', \
         control_port='ipc://run/control', \
         hosts=[Host(name='localhost', routes={{ \
           '{route}': Dir(base='www/', index_file='index.html', default_ctype='text/plain') }})])\n\
         servers = [main]\n"
    )
}

/// GET `path` on a fresh connection: the status code, or `None` if nothing listens.
fn status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    s.read_to_string(&mut response).ok()?;
    response.get(9..12)?.parse().ok()
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn load_lists_and_a_live_load_reroutes_the_running_server() {
    let dir = Scratch::new("live");
    std::fs::create_dir_all(dir.0.join("www")).unwrap();
    std::fs::write(dir.0.join("www/index.html"), "hello").unwrap();
    let port = free_port();
    std::fs::write(dir.0.join("a.conf"), config(port, "/a/")).unwrap();
    std::fs::write(dir.0.join("b.conf"), config(port, "/b/")).unwrap();

    let loaded = stdout(&nagrel(&["load", "a.conf", "--db", "app.db"], &dir.0));
    assert!(loaded.contains("version 1"), "{loaded}");
    let servers = stdout(&nagrel(&["servers", "--db", "app.db"], &dir.0));
    assert!(
        servers.contains("0d5c3b5e-1f7e-4c55-9d6b-2a7d3e0c9b11"),
        "{servers}"
    );
    let routes = stdout(&nagrel(&["routes", "--db", "app.db"], &dir.0));
    assert!(routes.contains("/a/"), "{routes}");
    let hosts = stdout(&nagrel(&["hosts", "--db", "app.db"], &dir.0));
    assert!(hosts.contains("localhost"), "{hosts}");

    let _server = Running(
        Command::new(env!("CARGO_BIN_EXE_nagrel"))
            .args(["start", "--db", "app.db", "--name", "main"])
            .current_dir(&dir.0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for("the server", || status(port, "/a/") == Some(200));
    assert_eq!(status(port, "/b/"), Some(404));

    // The store is the server's now; `load` hands the new config to it.
    let live = stdout(&nagrel(&["load", "b.conf", "--db", "app.db"], &dir.0));
    assert!(live.contains("running server"), "{live}");
    wait_for("the new route", || status(port, "/b/") == Some(200));
    assert_eq!(status(port, "/a/"), Some(404));

    // A config the server cannot serve is refused with the reason; nothing changes.
    std::fs::write(
        dir.0.join("bad.conf"),
        config(port, "/c/").replace("base='www/'", "base='missing/'"),
    )
    .unwrap();
    let refused = nagrel(&["load", "bad.conf", "--db", "app.db"], &dir.0);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("refused"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert_eq!(status(port, "/b/"), Some(200));
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    let dir = Scratch::new("syntax");
    std::fs::write(
        dir.0.join("bad.conf"),
        "main = Server(\n  uuid='x' port=1]\n",
    )
    .unwrap();
    let out = nagrel(&["load", "bad.conf", "--db", "db"], &dir.0);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.conf:2:18:"), "{err}");
}

#[test]
fn fsm_dot_draws_every_transition_of_the_table() {
    let dot = stdout(&nagrel(&["fsm", "--dot"], Path::new(".")));
    assert!(dot.contains("digraph connection {"), "{dot}");
    let table = stdout(&nagrel(&["fsm"], Path::new(".")));
    let transitions = table.lines().count();
    assert!(transitions > 20);
    assert_eq!(dot.matches(" -> ").count(), transitions);
    assert!(table.contains("Idle --REQ_RECV--> Identifying"));
}
