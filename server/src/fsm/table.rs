//! The transition table: the single source of truth for what each event does in each state.
//!
//! [`TRANSITIONS`] is written out as data, one row per transition, so it can be read,
//! tested and drawn ([`dot`](super::dot)). Lookups go through a dense
//! `[[Option<State>; events]; states]` array built from it at compile time; building that
//! array also rejects, at compile time, a table that lists one (state, event) pair twice or
//! lets an event leave the terminal state.

use std::fmt;

use super::event::Event;
use super::state::State;

/// One row of the table: in state `from`, event `event` leads to state `to`.
///
/// # Example
///
/// ```
/// use nagrel_server::fsm::{Event, State, TRANSITIONS};
///
/// let row = TRANSITIONS
///     .iter()
///     .find(|t| t.from == State::Idle && t.event == Event::ReqRecv)
///     .unwrap();
/// assert_eq!(row.to, State::Identifying);
/// assert_eq!(row.to_string(), "Idle --REQ_RECV--> Identifying");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Transition {
    /// The state the event arrives in.
    pub from: State,
    /// The event.
    pub event: Event,
    /// The state the connection is in afterwards.
    pub to: State,
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} --{}--> {}", self.from, self.event, self.to)
    }
}

const fn t(from: State, event: Event, to: State) -> Transition {
    Transition { from, event, to }
}

use Event::*;
use State::{
    Accepting, Closed, Closing, Connecting, Delivering, HttpRouting, Identifying, Idle, MsgRouting,
    Proxying, Queueing, Receiving, Responding, Sending, Start, Upgrading, WebSocket, WsRouting,
};

/// Every transition of the connection machine, grouped by the state it leaves.
///
/// Anything not listed is impossible: [`Machine::handle`](super::Machine::handle) answers
/// it with an [`FsmError`](super::FsmError) and leaves the state alone. Two rules hold
/// throughout: `CLOSE` is possible in every state but [`State::Start`] and
/// [`State::Closed`] (a client may hang up at any moment; that is not a bug), and `FAILED`
/// or `TIMEOUT` before anything was written to the client lead to
/// [`State::Responding`], where the server answers with an error status itself.
///
/// ```
/// use nagrel_server::fsm::{transition, TRANSITIONS};
///
/// for row in TRANSITIONS {
///     assert_eq!(transition(row.from, row.event), Some(row.to));
/// }
/// ```
pub const TRANSITIONS: &[Transition] = &[
    // Connection set-up (Mongrel2: start -OPEN-> Accepting -ACCEPT-> ...).
    t(Start, Open, Accepting),
    t(Accepting, Accept, Idle),
    t(Accepting, Close, Closed), // refused: over the connection limit, or shutting down
    // Between requests. TIMEOUT: the idle or header deadline (nagrel; Mongrel2 never
    // raises TIMEOUT).
    t(Idle, ReqRecv, Identifying),
    t(Idle, Timeout, Closed),
    t(Idle, Close, Closed),
    // What kind of request (Mongrel2's identify_request).
    t(Identifying, HttpReq, HttpRouting),
    t(Identifying, MsgReq, MsgRouting),
    t(Identifying, WsReq, WsRouting),
    t(Identifying, SocketReq, Responding), // the policy file is answered directly
    t(Identifying, Close, Closed),
    // Routing (Mongrel2's route_request). FAILED: no route, answered with 404 (Mongrel2
    // answers 404 and closes; nagrel keeps the connection).
    t(HttpRouting, Handler, Queueing),
    t(HttpRouting, Directory, Responding),
    t(HttpRouting, Proxy, Connecting),
    t(HttpRouting, Failed, Responding),
    t(HttpRouting, Close, Closed),
    t(MsgRouting, Handler, Delivering),
    t(MsgRouting, Directory, Responding), // Mongrel2's msg_to_directory
    t(MsgRouting, Close, Closed),
    t(WsRouting, Handler, Upgrading),
    t(WsRouting, Directory, Responding), // a directory serves the GET, ignoring Upgrade
    t(WsRouting, Proxy, Connecting),
    t(WsRouting, Failed, Responding),
    t(WsRouting, Close, Closed),
    // An HTTP request with a handler. Mongrel2 goes back to Idle on REQ_SENT and never
    // ties a reply to its request; nagrel stays here until the reply is written, so the
    // reply deadline has a state: TIMEOUT answers 504, FAILED (no handler) 503.
    t(Queueing, ReqSent, Queueing),
    t(Queueing, RespSent, Idle),
    t(Queueing, Timeout, Responding),
    t(Queueing, Failed, Responding),
    t(Queueing, Close, Closed), // the handler's empty reply, or the client hung up
    // A socket message to a handler: Mongrel2's Queueing, unchanged.
    t(Delivering, ReqSent, Idle),
    t(Delivering, Close, Closed),
    // A WebSocket handshake with a handler, then the established socket.
    t(Upgrading, ReqSent, Upgrading),
    t(Upgrading, RespSent, WebSocket), // the handler's 101 went out
    t(Upgrading, Timeout, Responding), // no handshake reply in time: 504
    t(Upgrading, Failed, Responding),  // no handler: 503
    t(Upgrading, Close, Closed),
    t(WebSocket, ReqSent, WebSocket), // a client frame went to the handler
    t(WebSocket, RespSent, WebSocket), // a handler message went to the client
    t(WebSocket, Timeout, Closed),    // no frame or pong within the ping deadline
    t(WebSocket, Close, Closed),
    // The server answering by itself.
    t(Responding, RespSent, Idle),
    t(Responding, Timeout, Closed), // the client does not read: write deadline
    t(Responding, Close, Closed),
    // The proxy sub-machine. FAILED and TIMEOUT before the response started: 502 or 504
    // (Mongrel2 answers 502 and closes, and has no timeouts).
    t(Connecting, Connect, Sending),
    t(Connecting, Failed, Responding),
    t(Connecting, Timeout, Responding),
    t(Connecting, Close, Closed),
    t(Sending, ReqSent, Receiving),
    t(Sending, RemoteClose, Responding), // the backend hung up before taking it all: 502
    t(Sending, Failed, Responding),
    t(Sending, Timeout, Responding),
    t(Sending, Close, Closed),
    t(Receiving, RespSent, Proxying), // the backend connection is kept
    t(Receiving, RemoteClose, Closing),
    t(Receiving, Failed, Responding),
    t(Receiving, Timeout, Responding),
    t(Receiving, Close, Closed),
    // Every further request is routed again: one for the same proxy comes back through
    // PROXY and CONNECT (on the kept connection), any other leaves the proxy.
    t(Proxying, ReqRecv, Identifying),
    t(Proxying, RemoteClose, Idle), // the kept backend connection went away
    t(Proxying, Timeout, Closed),
    t(Proxying, Close, Closed),
    t(Closing, Timeout, Closed),
    t(Closing, Close, Closed),
];

/// The dense lookup table, `LOOKUP[state][event]`, built from [`TRANSITIONS`].
static LOOKUP: [[Option<State>; Event::COUNT]; State::COUNT] = build(TRANSITIONS);

/// Builds the lookup table; a malformed `TRANSITIONS` stops the build (a panic in const
/// evaluation is a compile error, never a runtime one).
const fn build(rows: &[Transition]) -> [[Option<State>; Event::COUNT]; State::COUNT] {
    let mut table = [[None; Event::COUNT]; State::COUNT];
    let mut i = 0;
    while i < rows.len() {
        let row = rows[i];
        assert!(
            !row.from.is_terminal(),
            "TRANSITIONS: an event leaves the terminal state"
        );
        assert!(
            table[row.from.index()][row.event.index()].is_none(),
            "TRANSITIONS: a (state, event) pair is listed twice"
        );
        table[row.from.index()][row.event.index()] = Some(row.to);
        i += 1;
    }
    table
}

/// Where `event` leads from `from`, or `None` when the table has no such transition.
///
/// One array lookup: no search, no allocation.
///
/// ```
/// use nagrel_server::fsm::{transition, Event, State};
///
/// assert_eq!(transition(State::Queueing, Event::Timeout), Some(State::Responding));
/// assert_eq!(transition(State::Idle, Event::Connect), None);
/// ```
pub fn transition(from: State, event: Event) -> Option<State> {
    LOOKUP[from.index()][event.index()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_agrees_with_the_rows_and_nothing_else() {
        for from in State::ALL {
            for event in Event::ALL {
                let rows: Vec<State> = TRANSITIONS
                    .iter()
                    .filter(|row| row.from == from && row.event == event)
                    .map(|row| row.to)
                    .collect();
                assert!(rows.len() <= 1, "{from} {event} listed twice");
                assert_eq!(transition(from, event), rows.first().copied());
            }
        }
    }

    #[test]
    fn close_is_possible_in_every_live_state() {
        for from in State::ALL {
            let expected = match from {
                State::Start | State::Closed => None,
                _ => Some(State::Closed),
            };
            assert_eq!(transition(from, Event::Close), expected, "CLOSE in {from}");
        }
    }

    #[test]
    fn only_close_and_timeout_reach_the_terminal_state() {
        for row in TRANSITIONS.iter().filter(|row| row.to.is_terminal()) {
            assert!(
                matches!(row.event, Event::Close | Event::Timeout),
                "{row} ends the connection without CLOSE or TIMEOUT"
            );
        }
    }

    #[test]
    fn display_reads_like_an_edge() {
        assert_eq!(
            t(Start, Open, Accepting).to_string(),
            "Start --OPEN--> Accepting"
        );
    }
}
