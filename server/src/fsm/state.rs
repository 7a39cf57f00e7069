//! The states a connection can be in: Mongrel2's connection machine (`Accepting`, `Idle`,
//! the three routing states, `Queueing`, `Responding`) and its proxy sub-machine, plus the
//! few states nagrel's own flow needs (see [`State`]).

use std::fmt;

/// Where a connection is in its life.
///
/// Mongrel2's states keep their Mongrel2 names ([`State::name`]); the Rust variant names
/// follow Rust casing (`HttpRouting` is `"HTTPRouting"`). States nagrel adds, and why:
///
/// - [`State::Start`] and [`State::Closed`]: Ragel's unnamed `start` and `final`, named so
///   they can be traced, drawn and asserted on.
/// - [`State::Identifying`]: Mongrel2 reads `REQ_RECV HTTP_REQ` as one two-event step out
///   of `Idle`; the state between the two events gets a name.
/// - [`State::Delivering`]: Mongrel2's `Queueing` (handed to the handler, back to `Idle` at
///   once) survives for socket messages, which expect no reply.
/// - [`State::Upgrading`] and [`State::WebSocket`]: a WebSocket handshake waits for the
///   handler's `101` under a deadline, then the connection carries frames both ways.
///
/// # Example
///
/// ```
/// use nagrel_server::fsm::State;
///
/// assert_eq!(State::HttpRouting.name(), "HTTPRouting");
/// assert!(State::Receiving.in_proxy());
/// assert!(State::Closed.is_terminal());
/// assert_eq!(State::INITIAL, State::Start);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// Before `OPEN`: no connection yet (Ragel's `start`). The initial state.
    Start,
    /// Accepted by the listener, not yet registered.
    Accepting,
    /// Between requests: reading the next request head under the idle and header
    /// deadlines.
    Idle,
    /// A request head is in; its kind (HTTP, socket message, WebSocket, policy request)
    /// is being told.
    Identifying,
    /// An HTTP request is being routed (host, then path).
    HttpRouting,
    /// A socket message is being routed.
    MsgRouting,
    /// A WebSocket upgrade request is being routed.
    WsRouting,
    /// An HTTP request is with a handler: being delivered (request, upload messages), then
    /// waiting for its reply under the handler deadline.
    Queueing,
    /// A socket message is being delivered to a handler; no reply is waited for.
    Delivering,
    /// A WebSocket handshake is with a handler, waiting for the handler's `101`.
    Upgrading,
    /// An established WebSocket: client frames go to the handler, handler messages come
    /// back at any time.
    WebSocket,
    /// The server itself is writing a response: a file, a policy file, or an error status
    /// (404, 502, 503, 504, ...).
    Responding,
    /// Proxy: connecting to the backend, or taking the kept connection.
    Connecting,
    /// Proxy: forwarding the request to the backend.
    Sending,
    /// Proxy: relaying the backend's response to the client.
    Receiving,
    /// Proxy: between requests with the backend connection kept; the next request is
    /// routed again and leaves the proxy when it is for another target.
    Proxying,
    /// Proxy: the backend closed mid-response; what was relayed is flushed, then the
    /// connection closes.
    Closing,
    /// After `CLOSE` (Ragel's `final`). The terminal state: no event leaves it.
    Closed,
}

impl State {
    /// How many states there are.
    ///
    /// ```
    /// assert_eq!(nagrel_server::fsm::State::COUNT, 18);
    /// ```
    pub const COUNT: usize = 18;

    /// Every state, in declaration order (`State::ALL[s.index()] == s`).
    ///
    /// ```
    /// use nagrel_server::fsm::State;
    ///
    /// assert_eq!(State::ALL.first(), Some(&State::INITIAL));
    /// assert_eq!(State::ALL.last(), Some(&State::TERMINAL));
    /// ```
    pub const ALL: [State; State::COUNT] = [
        State::Start,
        State::Accepting,
        State::Idle,
        State::Identifying,
        State::HttpRouting,
        State::MsgRouting,
        State::WsRouting,
        State::Queueing,
        State::Delivering,
        State::Upgrading,
        State::WebSocket,
        State::Responding,
        State::Connecting,
        State::Sending,
        State::Receiving,
        State::Proxying,
        State::Closing,
        State::Closed,
    ];

    /// The state every connection starts in.
    pub const INITIAL: State = State::Start;

    /// The state `CLOSE` leads to; nothing leaves it.
    pub const TERMINAL: State = State::Closed;

    /// The state's name as traced and drawn: Mongrel2's name where Mongrel2 has the state.
    ///
    /// ```
    /// assert_eq!(nagrel_server::fsm::State::WsRouting.name(), "WSRouting");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            State::Start => "Start",
            State::Accepting => "Accepting",
            State::Idle => "Idle",
            State::Identifying => "Identifying",
            State::HttpRouting => "HTTPRouting",
            State::MsgRouting => "MSGRouting",
            State::WsRouting => "WSRouting",
            State::Queueing => "Queueing",
            State::Delivering => "Delivering",
            State::Upgrading => "Upgrading",
            State::WebSocket => "WebSocket",
            State::Responding => "Responding",
            State::Connecting => "Connecting",
            State::Sending => "Sending",
            State::Receiving => "Receiving",
            State::Proxying => "Proxying",
            State::Closing => "Closing",
            State::Closed => "Closed",
        }
    }

    /// The state's position in [`State::ALL`], for per-state tables.
    ///
    /// ```
    /// assert_eq!(nagrel_server::fsm::State::Start.index(), 0);
    /// ```
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Whether the state belongs to the proxy sub-machine.
    ///
    /// ```
    /// use nagrel_server::fsm::State;
    ///
    /// assert!(State::Connecting.in_proxy());
    /// assert!(!State::Idle.in_proxy());
    /// ```
    pub const fn in_proxy(self) -> bool {
        matches!(
            self,
            State::Connecting
                | State::Sending
                | State::Receiving
                | State::Proxying
                | State::Closing
        )
    }

    /// Whether the state is the terminal one.
    ///
    /// ```
    /// use nagrel_server::fsm::State;
    ///
    /// assert!(State::Closed.is_terminal());
    /// assert!(!State::Closing.is_terminal());
    /// ```
    pub const fn is_terminal(self) -> bool {
        matches!(self, State::Closed)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_matches_position() {
        for (i, state) in State::ALL.into_iter().enumerate() {
            assert_eq!(state.index(), i);
        }
    }

    #[test]
    fn names_are_distinct() {
        let mut names: Vec<&str> = State::ALL.iter().map(|s| s.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), State::COUNT);
    }

    #[test]
    fn exactly_one_terminal_and_five_proxy_states() {
        assert_eq!(State::ALL.iter().filter(|s| s.is_terminal()).count(), 1);
        let proxy: Vec<&str> = State::ALL
            .iter()
            .filter(|s| s.in_proxy())
            .map(|s| s.name())
            .collect();
        assert_eq!(
            proxy,
            ["Connecting", "Sending", "Receiving", "Proxying", "Closing"]
        );
    }
}
