//! `m2_echo`: a small, fast Mongrel2 handler, the one `bench/compare.sh server` puts behind
//! both servers (nagrel and Mongrel2) so that only the server differs between the two runs.
//!
//! ```sh
//! cargo build --release -p nagrel-bench --bin m2_echo
//! target/release/m2_echo --send-spec tcp://127.0.0.1:9997 --recv-spec tcp://127.0.0.1:9996
//! ```
//!
//! It connects a PULL socket to the server's `send_spec` (requests come from there) and a PUB
//! socket to its `recv_spec` (replies go there), and answers every request with the same
//! small HTTP/1.1 response, `200 OK` with the body `hello, world\n` (or `--body TEXT`). The
//! connection is kept open, unless the client asked for it to be closed (`Connection: close`,
//! or HTTP/1.0 without `Connection: keep-alive`), in which case a close message follows the
//! reply. Disconnect notices (path `@*`) are read and dropped.
//!
//! Only as much of a request message as a reply needs is parsed:
//! `SENDER SP CONN_ID SP PATH SP HEADERS BODY`, the headers being a netstring of JSON (the
//! default `protocol`) or a tnetstring dict; the body is not looked at. A malformed message is
//! reported on stderr (the first few) and skipped, never answered.
//!
//! Options (each also readable from the environment):
//!
//! | option | environment | meaning |
//! |---|---|---|
//! | `--send-spec SPEC` | `NAGREL_M2_SEND_SPEC` | the server's `send_spec` (required) |
//! | `--recv-spec SPEC` | `NAGREL_M2_RECV_SPEC` | the server's `recv_spec` (required) |
//! | `--threads N` | `M2_ECHO_THREADS` | worker threads, each with its own pair of sockets (default 1) |
//! | `--body TEXT` | `M2_ECHO_BODY` | the response body (default `hello, world\n`) |
//!
//! It runs until killed; a socket error ends it with status 1.

use std::fmt;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// The response body when `--body` is not given.
const DEFAULT_BODY: &str = "hello, world\n";
/// Upper bound for `--threads`: more workers than this cannot help a 2-core benchmark.
const MAX_THREADS: usize = 64;
/// Malformed messages reported on stderr before going quiet.
const REPORT_LIMIT: u32 = 10;
/// High-water marks of both sockets: well above the 256 requests a benchmark keeps in
/// flight, so that neither side drops (PUB) or stalls (PULL) under load.
const HWM: i32 = 100_000;

fn main() -> ExitCode {
    let config = match Config::from_args(std::env::args().skip(1), |name| std::env::var(name).ok())
    {
        Ok(config) => config,
        Err(ArgError::Help) => {
            eprintln!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("m2_echo: {err}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("m2_echo: {err}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: m2_echo --send-spec SPEC --recv-spec SPEC [--threads N] [--body TEXT]
  --send-spec  the server's send_spec, requests are PULLed from it  (env NAGREL_M2_SEND_SPEC)
  --recv-spec  the server's recv_spec, replies are PUBlished to it  (env NAGREL_M2_RECV_SPEC)
  --threads    worker threads, each with its own sockets, default 1  (env M2_ECHO_THREADS)
  --body       response body, default \"hello, world\\n\"             (env M2_ECHO_BODY)";

/// What the handler was told to do.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Config {
    send_spec: String,
    recv_spec: String,
    threads: usize,
    body: String,
}

/// A command line that cannot be run.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ArgError {
    /// `-h` / `--help`: not an error, the usage is wanted.
    Help,
    /// An option this program does not know.
    Unknown(String),
    /// An option given last, without its value.
    MissingValue(&'static str),
    /// A required option given neither on the command line nor in the environment.
    Required(&'static str, &'static str),
    /// `--threads` not a number in `1..=MAX_THREADS`.
    Threads(String),
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgError::Help => f.write_str("help requested"),
            ArgError::Unknown(arg) => write!(f, "unknown argument `{arg}`"),
            ArgError::MissingValue(opt) => write!(f, "{opt} needs a value"),
            ArgError::Required(opt, env) => write!(f, "{opt} (or {env}) is required"),
            ArgError::Threads(value) => {
                write!(
                    f,
                    "--threads must be a number from 1 to {MAX_THREADS}, got `{value}`"
                )
            }
        }
    }
}

impl std::error::Error for ArgError {}

impl Config {
    /// Reads the options from `args`, falling back to `env` (a variable lookup) for each.
    fn from_args(
        args: impl IntoIterator<Item = String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ArgError> {
        let (mut send, mut recv, mut threads, mut body) = (None, None, None, None);
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (slot, name) = match arg.as_str() {
                "-h" | "--help" => return Err(ArgError::Help),
                "--send-spec" => (&mut send, "--send-spec"),
                "--recv-spec" => (&mut recv, "--recv-spec"),
                "--threads" => (&mut threads, "--threads"),
                "--body" => (&mut body, "--body"),
                _ => return Err(ArgError::Unknown(arg)),
            };
            *slot = Some(args.next().ok_or(ArgError::MissingValue(name))?);
        }
        let send_spec = send
            .or_else(|| env("NAGREL_M2_SEND_SPEC"))
            .ok_or(ArgError::Required("--send-spec", "NAGREL_M2_SEND_SPEC"))?;
        let recv_spec = recv
            .or_else(|| env("NAGREL_M2_RECV_SPEC"))
            .ok_or(ArgError::Required("--recv-spec", "NAGREL_M2_RECV_SPEC"))?;
        let threads = match threads.or_else(|| env("M2_ECHO_THREADS")) {
            None => 1,
            Some(text) => match text.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_THREADS).contains(&n) => n,
                _ => return Err(ArgError::Threads(text)),
            },
        };
        let body = body
            .or_else(|| env("M2_ECHO_BODY"))
            .unwrap_or_else(|| DEFAULT_BODY.to_owned());
        Ok(Config {
            send_spec,
            recv_spec,
            threads,
            body,
        })
    }
}

/// Starts the workers and waits for them; they only return on a socket error.
fn run(config: &Config) -> Result<(), Failure> {
    let context = zmq::Context::new();
    let response = http_response(config.body.as_bytes());
    let malformed = Arc::new(AtomicU32::new(0));
    let mut workers = Vec::with_capacity(config.threads);
    for _ in 0..config.threads {
        let worker = Worker::connect(&context, config, response.clone(), Arc::clone(&malformed))?;
        workers.push(std::thread::spawn(move || worker.serve()));
    }
    eprintln!(
        "m2_echo: {} worker(s) connected to {} (requests) and {} (replies)",
        config.threads, config.send_spec, config.recv_spec
    );
    for worker in workers {
        match worker.join() {
            Ok(result) => result?,
            Err(_) => return Err(Failure::new("worker", "a worker thread panicked")),
        }
    }
    Ok(())
}

/// A socket operation that failed, and which one.
#[derive(Debug)]
struct Failure {
    what: &'static str,
    detail: String,
}

impl Failure {
    fn new(what: &'static str, detail: impl fmt::Display) -> Failure {
        Failure {
            what,
            detail: detail.to_string(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.detail)
    }
}

impl std::error::Error for Failure {}

/// One worker: a PULL for requests, a PUB for replies, and the buffers it reuses.
struct Worker {
    pull: zmq::Socket,
    publish: zmq::Socket,
    response: Vec<u8>,
    malformed: Arc<AtomicU32>,
}

impl Worker {
    fn connect(
        context: &zmq::Context,
        config: &Config,
        response: Vec<u8>,
        malformed: Arc<AtomicU32>,
    ) -> Result<Worker, Failure> {
        let pull = context
            .socket(zmq::PULL)
            .map_err(|e| Failure::new("PULL socket", e))?;
        pull.set_rcvhwm(HWM)
            .map_err(|e| Failure::new("PULL rcvhwm", e))?;
        pull.set_linger(0)
            .map_err(|e| Failure::new("PULL linger", e))?;
        pull.connect(&config.send_spec)
            .map_err(|e| Failure::new("PULL connect", format!("{}: {e}", config.send_spec)))?;
        let publish = context
            .socket(zmq::PUB)
            .map_err(|e| Failure::new("PUB socket", e))?;
        publish
            .set_sndhwm(HWM)
            .map_err(|e| Failure::new("PUB sndhwm", e))?;
        publish
            .set_linger(0)
            .map_err(|e| Failure::new("PUB linger", e))?;
        publish
            .connect(&config.recv_spec)
            .map_err(|e| Failure::new("PUB connect", format!("{}: {e}", config.recv_spec)))?;
        Ok(Worker {
            pull,
            publish,
            response,
            malformed,
        })
    }

    /// Answers requests until a socket fails.
    fn serve(self) -> Result<(), Failure> {
        let mut message = zmq::Message::new();
        let mut reply = Vec::with_capacity(self.response.len() + 128);
        loop {
            self.pull
                .recv(&mut message, 0)
                .map_err(|e| Failure::new("receive", e))?;
            let request = match Request::parse(&message) {
                Ok(request) => request,
                Err(err) => {
                    self.report(&err, &message);
                    continue;
                }
            };
            if request.is_disconnect() {
                continue;
            }
            reply.clear();
            request.reply_head(&mut reply);
            reply.extend_from_slice(&self.response);
            self.publish
                .send(&reply[..], 0)
                .map_err(|e| Failure::new("send", e))?;
            if request.wants_close() {
                // An empty body tells the server to close the connection once the reply is out.
                reply.clear();
                request.reply_head(&mut reply);
                self.publish
                    .send(&reply[..], 0)
                    .map_err(|e| Failure::new("send", e))?;
            }
        }
    }

    fn report(&self, err: &ParseError, message: &[u8]) {
        let seen = self.malformed.fetch_add(1, Ordering::Relaxed);
        if seen < REPORT_LIMIT {
            let start = &message[..message.len().min(80)];
            eprintln!(
                "m2_echo: skipped a malformed request message: {err} (starts {:?})",
                String::from_utf8_lossy(start)
            );
        } else if seen == REPORT_LIMIT {
            eprintln!("m2_echo: more malformed request messages, no longer reporting them");
        }
    }
}

/// The fixed HTTP/1.1 response every request gets.
fn http_response(body: &[u8]) -> Vec<u8> {
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: text/plain\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    response
}

/// The parts of a request message a reply needs, borrowed from the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Request<'a> {
    sender: &'a [u8],
    conn_id: &'a [u8],
    path: &'a [u8],
    headers: Headers<'a>,
}

/// The request's headers as they came: JSON text, or a tnetstring dict's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Headers<'a> {
    Json(&'a [u8]),
    Tnetstring(&'a [u8]),
}

/// Why a request message could not be read; `at` is the byte offset of the problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParseError {
    /// A space-separated field (`which`) never ended.
    Unterminated { which: &'static str, at: usize },
    /// The connection id is empty or not all ASCII digits.
    BadConnId { at: usize },
    /// The headers length prefix is missing, not decimal, or too long.
    BadLength { at: usize },
    /// The headers are shorter than their length prefix says.
    Truncated { at: usize },
    /// The headers do not end with `,` (netstring) or `}` (tnetstring dict).
    BadTerminator { at: usize },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ParseError::Unterminated { which, at } => {
                write!(f, "no space after the {which} (field starts at byte {at})")
            }
            ParseError::BadConnId { at } => {
                write!(f, "connection id at byte {at} is not a decimal number")
            }
            ParseError::BadLength { at } => {
                write!(
                    f,
                    "headers length at byte {at} is not a decimal number followed by `:`"
                )
            }
            ParseError::Truncated { at } => {
                write!(
                    f,
                    "headers starting at byte {at} are shorter than their length"
                )
            }
            ParseError::BadTerminator { at } => {
                write!(f, "headers end at byte {at} without `,` or `}}`")
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// Longest decimal length prefix accepted: anything longer cannot be a real message.
const MAX_LENGTH_DIGITS: usize = 10;

impl<'a> Request<'a> {
    /// Reads `SENDER SP CONN_ID SP PATH SP HEADERS` from the start of a message.
    fn parse(message: &'a [u8]) -> Result<Request<'a>, ParseError> {
        let (sender, rest, at) = field(message, 0, "sender")?;
        let (conn_id, rest, conn_at) = field(rest, at, "connection id")?;
        if conn_id.is_empty() || !conn_id.iter().all(u8::is_ascii_digit) {
            return Err(ParseError::BadConnId { at });
        }
        let (path, rest, headers_at) = field(rest, conn_at, "path")?;
        let colon = rest
            .iter()
            .take(MAX_LENGTH_DIGITS + 1)
            .position(|&b| b == b':')
            .filter(|&i| i > 0 && rest[..i].iter().all(u8::is_ascii_digit))
            .ok_or(ParseError::BadLength { at: headers_at })?;
        let len = rest[..colon]
            .iter()
            .try_fold(0usize, |n, &d| {
                n.checked_mul(10)?.checked_add(usize::from(d - b'0'))
            })
            .ok_or(ParseError::BadLength { at: headers_at })?;
        let payload_at = colon + 1;
        let end = payload_at
            .checked_add(len)
            .filter(|&end| end < rest.len())
            .ok_or(ParseError::Truncated { at: headers_at })?;
        let payload = &rest[payload_at..end];
        let headers = match rest[end] {
            b',' => Headers::Json(payload),
            b'}' => Headers::Tnetstring(payload),
            _ => {
                return Err(ParseError::BadTerminator {
                    at: headers_at + end,
                })
            }
        };
        Ok(Request {
            sender,
            conn_id,
            path,
            headers,
        })
    }

    /// A disconnect notice (path `@*`, `METHOD` `JSON`), or another JSON message to a
    /// `@` path: nothing a browser sent, so nothing to answer.
    fn is_disconnect(&self) -> bool {
        self.path.first() == Some(&b'@')
    }

    /// Whether the client wants the connection closed after this response.
    fn wants_close(&self) -> bool {
        let (version, connection) = match self.headers {
            Headers::Json(text) => (
                json_value(text, b"\"VERSION\":\""),
                json_value(text, b"\"connection\":\""),
            ),
            Headers::Tnetstring(text) => (
                tnet_value(text, b"7:VERSION,"),
                tnet_value(text, b"10:connection,"),
            ),
        };
        match connection {
            Some(value) if value.eq_ignore_ascii_case(b"close") => true,
            Some(value) if value.eq_ignore_ascii_case(b"keep-alive") => false,
            _ => version == Some(b"HTTP/1.0".as_slice()),
        }
    }

    /// Appends `SENDER SP LEN:CONN_ID, SP` to `out`: the reply's head, before its body.
    fn reply_head(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.sender);
        out.push(b' ');
        out.extend_from_slice(self.conn_id.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(self.conn_id);
        out.extend_from_slice(b", ");
    }
}

/// Splits the field before the next space off `input` (which starts at offset `at` of the
/// message): returns the field, the rest after the space, and the rest's offset.
fn field<'a>(
    input: &'a [u8],
    at: usize,
    which: &'static str,
) -> Result<(&'a [u8], &'a [u8], usize), ParseError> {
    let space = input
        .iter()
        .position(|&b| b == b' ')
        .ok_or(ParseError::Unterminated { which, at })?;
    Ok((&input[..space], &input[space + 1..], at + space + 1))
}

/// The string value after `key` (which ends with the value's opening quote) in compact JSON,
/// up to the closing quote. Values with escapes are returned raw; a header given several
/// times (a JSON array) is not found, which is fine for the two keys looked up here.
fn json_value<'a>(json: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let start = find(json, key)? + key.len();
    let len = json[start..].iter().position(|&b| b == b'"')?;
    Some(&json[start..start + len])
}

/// The string value after `key` (a whole tnetstring key, `LEN:NAME,`) in a tnetstring
/// dict's payload: `LEN:VALUE,`.
fn tnet_value<'a>(dict: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let start = find(dict, key)? + key.len();
    let rest = &dict[start..];
    let colon = rest
        .iter()
        .take(MAX_LENGTH_DIGITS + 1)
        .position(|&b| b == b':')?;
    let len: usize = std::str::from_utf8(&rest[..colon]).ok()?.parse().ok()?;
    let value = rest.get(colon + 1..colon + 1 + len)?;
    (rest.get(colon + 1 + len) == Some(&b',')).then_some(value)
}

/// First index of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENDER: &str = "34f9ceee-cd52-4b7f-b197-88bf2f0ec378";

    fn json_request(headers: &str) -> Vec<u8> {
        format!("{SENDER} 42 /hello {}:{headers},0:,", headers.len()).into_bytes()
    }

    #[test]
    fn parses_a_json_request() {
        let message = json_request(r#"{"PATH":"/hello","METHOD":"GET","VERSION":"HTTP/1.1"}"#);
        let request = Request::parse(&message).expect("valid request");
        assert_eq!(request.sender, SENDER.as_bytes());
        assert_eq!(request.conn_id, b"42");
        assert_eq!(request.path, b"/hello");
        assert!(!request.is_disconnect());
        assert!(!request.wants_close());
        let mut head = Vec::new();
        request.reply_head(&mut head);
        assert_eq!(head, format!("{SENDER} 2:42, ").into_bytes());
    }

    #[test]
    fn skips_a_disconnect_notice() {
        let message =
            format!("{SENDER} 7 @* 17:{{\"METHOD\":\"JSON\"}},21:{{\"type\":\"disconnect\"}},");
        let request = Request::parse(message.as_bytes()).expect("valid notice");
        assert!(request.is_disconnect());
    }

    #[test]
    fn sees_connection_close_and_http_1_0() {
        let close = json_request(r#"{"PATH":"/","connection":"Close","VERSION":"HTTP/1.1"}"#);
        assert!(Request::parse(&close).expect("valid").wants_close());
        let old = json_request(r#"{"PATH":"/","VERSION":"HTTP/1.0"}"#);
        assert!(Request::parse(&old).expect("valid").wants_close());
        let old_kept =
            json_request(r#"{"PATH":"/","connection":"keep-alive","VERSION":"HTTP/1.0"}"#);
        assert!(!Request::parse(&old_kept).expect("valid").wants_close());
    }

    #[test]
    fn reads_tnetstring_headers() {
        let dict = "4:PATH,1:/,10:connection,5:close,7:VERSION,8:HTTP/1.1,";
        let message = format!("{SENDER} 9 / {}:{dict}}}0:,", dict.len());
        let request = Request::parse(message.as_bytes()).expect("valid request");
        assert_eq!(request.headers, Headers::Tnetstring(dict.as_bytes()));
        assert!(request.wants_close());
    }

    #[test]
    fn rejects_malformed_messages_with_a_position() {
        let cases: [(&[u8], ParseError); 6] = [
            (
                b"nospace",
                ParseError::Unterminated {
                    which: "sender",
                    at: 0,
                },
            ),
            (b"s x1 / 2:{},0:,", ParseError::BadConnId { at: 2 }),
            (b"s 1 / x:{},0:,", ParseError::BadLength { at: 6 }),
            (
                b"s 1 / 99999999999999999999:{}",
                ParseError::BadLength { at: 6 },
            ),
            (b"s 1 / 9:{},", ParseError::Truncated { at: 6 }),
            (b"s 1 / 2:{}x0:,", ParseError::BadTerminator { at: 10 }),
        ];
        for (message, want) in cases {
            assert_eq!(
                Request::parse(message),
                Err(want),
                "{:?}",
                String::from_utf8_lossy(message)
            );
        }
    }

    #[test]
    fn never_panics_on_any_prefix() {
        let message = json_request(r#"{"PATH":"/hello","connection":"close"}"#);
        for end in 0..=message.len() {
            let _ = Request::parse(&message[..end]).map(|r| r.wants_close());
        }
    }

    #[test]
    fn builds_the_response() {
        let response = http_response(DEFAULT_BODY.as_bytes());
        assert_eq!(
            response,
            b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nhello, world\n"
        );
    }

    #[test]
    fn reads_options_and_environment() {
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let no_env = |_: &str| None;
        let config = Config::from_args(
            args(&[
                "--send-spec",
                "tcp://a:1",
                "--recv-spec",
                "tcp://a:2",
                "--threads",
                "2",
            ]),
            no_env,
        )
        .expect("valid");
        assert_eq!(config.threads, 2);
        assert_eq!(config.body, DEFAULT_BODY);
        let from_env = Config::from_args(args(&[]), |name| match name {
            "NAGREL_M2_SEND_SPEC" => Some("tcp://b:1".into()),
            "NAGREL_M2_RECV_SPEC" => Some("tcp://b:2".into()),
            _ => None,
        })
        .expect("valid");
        assert_eq!(
            (from_env.send_spec.as_str(), from_env.threads),
            ("tcp://b:1", 1)
        );
        assert_eq!(
            Config::from_args(args(&["--recv-spec", "x"]), no_env),
            Err(ArgError::Required("--send-spec", "NAGREL_M2_SEND_SPEC"))
        );
        assert_eq!(
            Config::from_args(args(&["--send-spec"]), no_env),
            Err(ArgError::MissingValue("--send-spec"))
        );
        assert_eq!(
            Config::from_args(
                args(&["--send-spec", "a", "--recv-spec", "b", "--threads", "0"]),
                no_env
            ),
            Err(ArgError::Threads("0".into()))
        );
        assert_eq!(
            Config::from_args(args(&["-x"]), no_env),
            Err(ArgError::Unknown("-x".into()))
        );
    }
}
