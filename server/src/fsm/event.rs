//! The events that drive a connection: the 17 of Mongrel2's `events.h`, under their Mongrel2
//! names so traces and replay tests read the same as Mongrel2's.

use std::fmt;
use std::str::FromStr;

/// Something that happened to a connection, raised by the connection code and fed to
/// [`Machine::handle`](super::Machine::handle).
///
/// The variants are in Mongrel2's `events.h` order (alphabetical); [`Event::name`] gives the
/// Mongrel2 spelling (`REQ_RECV`), which [`FromStr`] parses back.
///
/// # Example
///
/// ```
/// use nagrel_server::fsm::Event;
///
/// assert_eq!(Event::ReqRecv.name(), "REQ_RECV");
/// assert_eq!("HTTP_REQ".parse::<Event>(), Ok(Event::HttpReq));
/// assert_eq!(Event::ALL.len(), 17);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Event {
    /// The connection is registered (id given, limits checked) and may be read.
    Accept,
    /// The connection ends: the client went away, or the server decided to close (after
    /// `Connection: close`, an error, a handler's empty reply). Possible in every live state.
    Close,
    /// The proxy backend connection is ready (dialled, or the kept one reused).
    Connect,
    /// The request was routed to a static directory.
    Directory,
    /// The current step failed and the server answers with an error status itself: no
    /// route (404), no handler able to take the request (503), a backend that cannot be
    /// reached or answers garbage (502).
    Failed,
    /// The request was routed to a handler.
    Handler,
    /// The request is plain HTTP.
    HttpReq,
    /// The request is a JSON or XML socket message (Mongrel2's JSSocket).
    MsgReq,
    /// A client connection was accepted by the listener.
    Open,
    /// The request was routed to an HTTP backend.
    Proxy,
    /// The proxy backend closed its side of the connection.
    RemoteClose,
    /// A complete request head was read from the client.
    ReqRecv,
    /// The request (or a WebSocket frame, or a socket message) was handed on in full: to the
    /// handler's socket or to the proxy backend.
    ReqSent,
    /// A response was written to the client in full (or, on a WebSocket, one message).
    RespSent,
    /// The request is a Flash socket policy request (`<policy-file-request/>`).
    SocketReq,
    /// A deadline passed: header, idle, handler reply, backend or write deadline,
    /// depending on the state.
    Timeout,
    /// The request asks for a WebSocket upgrade.
    WsReq,
}

impl Event {
    /// How many events there are.
    ///
    /// ```
    /// assert_eq!(nagrel_server::fsm::Event::COUNT, 17);
    /// ```
    pub const COUNT: usize = 17;

    /// Every event, in declaration order (`Event::ALL[e.index()] == e`).
    ///
    /// ```
    /// use nagrel_server::fsm::Event;
    ///
    /// assert!(Event::ALL.iter().enumerate().all(|(i, e)| e.index() == i));
    /// ```
    pub const ALL: [Event; Event::COUNT] = [
        Event::Accept,
        Event::Close,
        Event::Connect,
        Event::Directory,
        Event::Failed,
        Event::Handler,
        Event::HttpReq,
        Event::MsgReq,
        Event::Open,
        Event::Proxy,
        Event::RemoteClose,
        Event::ReqRecv,
        Event::ReqSent,
        Event::RespSent,
        Event::SocketReq,
        Event::Timeout,
        Event::WsReq,
    ];

    /// The Mongrel2 name of the event, e.g. `"REQ_RECV"`.
    ///
    /// ```
    /// assert_eq!(nagrel_server::fsm::Event::RemoteClose.name(), "REMOTE_CLOSE");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Event::Accept => "ACCEPT",
            Event::Close => "CLOSE",
            Event::Connect => "CONNECT",
            Event::Directory => "DIRECTORY",
            Event::Failed => "FAILED",
            Event::Handler => "HANDLER",
            Event::HttpReq => "HTTP_REQ",
            Event::MsgReq => "MSG_REQ",
            Event::Open => "OPEN",
            Event::Proxy => "PROXY",
            Event::RemoteClose => "REMOTE_CLOSE",
            Event::ReqRecv => "REQ_RECV",
            Event::ReqSent => "REQ_SENT",
            Event::RespSent => "RESP_SENT",
            Event::SocketReq => "SOCKET_REQ",
            Event::Timeout => "TIMEOUT",
            Event::WsReq => "WS_REQ",
        }
    }

    /// The event's position in [`Event::ALL`], for per-event tables.
    ///
    /// ```
    /// assert_eq!(nagrel_server::fsm::Event::Accept.index(), 0);
    /// ```
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Event {
    type Err = ParseEventError;

    /// Parses a Mongrel2 event name; ASCII case is ignored (`req_recv` is `REQ_RECV`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Event::ALL
            .into_iter()
            .find(|event| event.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| ParseEventError {
                input: s.to_owned(),
            })
    }
}

/// A string that names no event.
///
/// ```
/// use nagrel_server::fsm::Event;
///
/// let err = "REQ_RECIEVED".parse::<Event>().unwrap_err();
/// assert_eq!(err.input(), "REQ_RECIEVED");
/// assert!(err.to_string().starts_with("unknown connection event \"REQ_RECIEVED\""));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseEventError {
    input: String,
}

impl ParseEventError {
    /// The string that was not an event name.
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for ParseEventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown connection event {:?}; expected one of ",
            self.input
        )?;
        for (i, event) in Event::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(event.name())?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseEventError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str() {
        for event in Event::ALL {
            assert_eq!(event.name().parse::<Event>(), Ok(event));
            assert_eq!(
                event.name().to_ascii_lowercase().parse::<Event>(),
                Ok(event)
            );
            assert_eq!(event.to_string(), event.name());
        }
    }

    #[test]
    fn names_are_distinct_and_in_mongrel2_order() {
        let names: Vec<&str> = Event::ALL.iter().map(|e| e.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "alphabetical like events.h, no duplicates");
    }

    #[test]
    fn index_matches_position() {
        for (i, event) in Event::ALL.into_iter().enumerate() {
            assert_eq!(event.index(), i);
        }
    }

    #[test]
    fn unknown_names_are_errors() {
        for bad in [
            "",
            "REQ",
            "REQ_RECV ",
            " OPEN",
            "OPEN\0",
            "ÖPEN",
            "FINISHED",
            "MSG_RESP",
        ] {
            let err = bad.parse::<Event>().unwrap_err();
            assert_eq!(err.input(), bad);
            assert!(err.to_string().contains("WS_REQ"), "lists the valid names");
        }
    }
}
