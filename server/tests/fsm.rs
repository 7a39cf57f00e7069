//! Replay tests for the connection state machine, in the style of Mongrel2's
//! `tests/state_tests.c`: a sequence of events is fed to a fresh machine and must end in the
//! expected state (or fail at the expected event). Then the table's global properties
//! (every impossible event refused without a state change, every state reachable, every
//! state able to close), the filters, the maintenance filter and the traces.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use nagrel_server::fsm::{
    transition, Divert, Event, EventFilter, Filters, FsmError, Machine, MaintenanceFilter, State,
    TRANSITIONS,
};

use Event::*;

// ---------------------------------------------------------------------------------------
// Replay helpers
// ---------------------------------------------------------------------------------------

/// Feeds `events` to a fresh machine; returns every state it went through (the initial
/// one first), or the position and error of the first refused event.
fn replay(events: &[Event]) -> Result<Vec<State>, (usize, FsmError)> {
    let mut machine = Machine::new(7);
    let mut states = vec![machine.state()];
    for (i, &event) in events.iter().enumerate() {
        let to = machine.handle(event).map_err(|err| (i, err))?;
        assert_eq!(to, machine.state(), "handle returns the new state");
        states.push(to);
    }
    Ok(states)
}

/// Replays `events` and checks the final state.
#[track_caller]
fn ends_in(events: &[Event], expected: State) {
    match replay(events) {
        Ok(states) => assert_eq!(states.last(), Some(&expected), "after {events:?}"),
        Err((i, err)) => panic!("event {i} of {events:?} refused: {err}"),
    }
}

/// Replays `events` and checks every state on the way.
#[track_caller]
fn walks(events: &[Event], expected: &[State]) {
    match replay(events) {
        Ok(states) => assert_eq!(states[1..], *expected, "states after {events:?}"),
        Err((i, err)) => panic!("event {i} of {events:?} refused: {err}"),
    }
}

/// Replays `events`, which must be refused at position `at` in state `state`.
#[track_caller]
fn fails_at(events: &[Event], at: usize, state: State) {
    match replay(events) {
        Ok(states) => panic!("{events:?} was accepted, ending in {:?}", states.last()),
        Err((i, err)) => {
            assert_eq!(i, at, "refused at the wrong event: {err}");
            assert_eq!(err.state, state);
            assert_eq!(err.event, events[at]);
            assert_eq!(err.conn_id, 7);
        }
    }
}

/// A shortest event sequence from the initial state to `target`, found on the table.
fn path_to(target: State) -> Vec<Event> {
    let mut previous: Vec<Option<(State, Event)>> = vec![None; State::COUNT];
    let mut seen = [false; State::COUNT];
    let mut queue = VecDeque::from([State::INITIAL]);
    seen[State::INITIAL.index()] = true;
    while let Some(state) = queue.pop_front() {
        if state == target {
            break;
        }
        for row in TRANSITIONS.iter().filter(|row| row.from == state) {
            if !seen[row.to.index()] {
                seen[row.to.index()] = true;
                previous[row.to.index()] = Some((state, row.event));
                queue.push_back(row.to);
            }
        }
    }
    assert!(seen[target.index()], "{target} is unreachable");
    let mut events = Vec::new();
    let mut at = target;
    while let Some((from, event)) = previous[at.index()] {
        events.push(event);
        at = from;
    }
    events.reverse();
    events
}

/// A machine already in `state`.
fn machine_in(state: State) -> Machine {
    let mut machine = Machine::new(7);
    for event in path_to(state) {
        machine.handle(event).expect("path_to follows the table");
    }
    assert_eq!(machine.state(), state);
    machine
}

// The prefixes every HTTP replay starts with.
const OPENED: [Event; 2] = [Open, Accept];
const HTTP: [Event; 2] = [ReqRecv, HttpReq];

fn seq(parts: &[&[Event]]) -> Vec<Event> {
    parts.concat()
}

// ---------------------------------------------------------------------------------------
// Mongrel2's replays (tests/state_tests.c), carried over
// ---------------------------------------------------------------------------------------

#[test]
fn mongrel2_http_dir() {
    // The sequence, state by state.
    walks(
        &[Open, Accept, ReqRecv, HttpReq, Directory, RespSent, Close],
        &[
            State::Accepting,
            State::Idle,
            State::Identifying,
            State::HttpRouting,
            State::Responding,
            State::Idle,
            State::Closed,
        ],
    );
}

#[test]
fn mongrel2_http_handler_two_keep_alive_requests() {
    // Mongrel2 goes back to Idle on REQ_SENT; nagrel waits for the reply (RESP_SENT).
    ends_in(
        &seq(&[
            &OPENED,
            &HTTP,
            &[Handler, ReqSent, RespSent],
            &HTTP,
            &[Handler, ReqSent, RespSent],
            &[Close],
        ]),
        State::Closed,
    );
}

#[test]
fn mongrel2_msg_handler() {
    walks(
        &[Open, Accept, ReqRecv, MsgReq, Handler, ReqSent, Close],
        &[
            State::Accepting,
            State::Idle,
            State::Identifying,
            State::MsgRouting,
            State::Delivering,
            State::Idle,
            State::Closed,
        ],
    );
}

#[test]
fn mongrel2_msg_handler_two_messages() {
    ends_in(
        &[
            Open, Accept, ReqRecv, MsgReq, Handler, ReqSent, ReqRecv, MsgReq, Handler, ReqSent,
            Close,
        ],
        State::Closed,
    );
}

#[test]
fn mongrel2_socket_start() {
    walks(
        &[Open, Accept, ReqRecv, SocketReq, RespSent, Close],
        &[
            State::Accepting,
            State::Idle,
            State::Identifying,
            State::Responding,
            State::Idle,
            State::Closed,
        ],
    );
}

#[test]
fn mongrel2_http_proxy_backend_closes() {
    // PROXY, CONNECT, REMOTE_CLOSE, CLOSE: the backend hung up before taking the request;
    // nagrel answers 502 (Responding) where Mongrel2 only closed.
    walks(
        &seq(&[&OPENED, &HTTP, &[Proxy, Connect, RemoteClose, Close]]),
        &[
            State::Accepting,
            State::Idle,
            State::Identifying,
            State::HttpRouting,
            State::Connecting,
            State::Sending,
            State::Responding,
            State::Closed,
        ],
    );
}

#[test]
fn mongrel2_http_proxy_then_handler() {
    // Mongrel2's http_proxy_handler, with the proxied exchange completed first: the next
    // request is for a handler and leaves the proxy.
    ends_in(
        &seq(&[
            &OPENED,
            &HTTP,
            &[Proxy, Connect, ReqSent, RespSent],
            &HTTP,
            &[Handler, ReqSent, RespSent, Close],
        ]),
        State::Closed,
    );
}

#[test]
fn mongrel2_failures_are_ordinary_closes_here() {
    // Mongrel2 expects these to end in its error state (an abnormal end); nagrel keeps
    // errors for events that cannot happen, and a client hanging up always can.
    walks(&[Open, Close], &[State::Accepting, State::Closed]);
    ends_in(
        &seq(&[&OPENED, &HTTP, &[Proxy, Connect, Close]]),
        State::Closed,
    );
}

// ---------------------------------------------------------------------------------------
// Every path
// ---------------------------------------------------------------------------------------

#[test]
fn directory_request_then_keep_alive_then_close() {
    walks(
        &seq(&[
            &OPENED,
            &HTTP,
            &[Directory, RespSent],
            &HTTP,
            &[Directory, RespSent],
            &[Close],
        ]),
        &[
            State::Accepting,
            State::Idle,
            State::Identifying,
            State::HttpRouting,
            State::Responding,
            State::Idle,
            State::Identifying,
            State::HttpRouting,
            State::Responding,
            State::Idle,
            State::Closed,
        ],
    );
}

#[test]
fn no_route_is_answered_and_the_connection_kept() {
    walks(
        &seq(&[&OPENED, &HTTP, &[Failed, RespSent]]),
        &[
            State::Accepting,
            State::Idle,
            State::Identifying,
            State::HttpRouting,
            State::Responding,
            State::Idle,
        ],
    );
}

#[test]
fn handler_request_and_reply() {
    walks(
        &seq(&[&OPENED, &HTTP, &[Handler, ReqSent, RespSent]]),
        &[
            State::Accepting,
            State::Idle,
            State::Identifying,
            State::HttpRouting,
            State::Queueing,
            State::Queueing,
            State::Idle,
        ],
    );
}

#[test]
fn handler_upload_sends_several_messages_then_gets_its_reply() {
    // x-mongrel2-upload-start, then x-mongrel2-upload-done: two messages, one reply.
    ends_in(
        &seq(&[&OPENED, &HTTP, &[Handler, ReqSent, ReqSent, RespSent]]),
        State::Idle,
    );
}

#[test]
fn handler_reply_deadline_is_answered_with_a_response() {
    // TIMEOUT in Queueing: the server answers 504 itself, then the connection goes on.
    walks(
        &seq(&[&OPENED, &HTTP, &[Handler, ReqSent, Timeout, RespSent]]),
        &[
            State::Accepting,
            State::Idle,
            State::Identifying,
            State::HttpRouting,
            State::Queueing,
            State::Queueing,
            State::Responding,
            State::Idle,
        ],
    );
}

#[test]
fn no_handler_available_is_answered_with_a_response() {
    ends_in(
        &seq(&[&OPENED, &HTTP, &[Handler, Failed, RespSent]]),
        State::Idle,
    );
}

#[test]
fn handler_empty_reply_closes() {
    ends_in(
        &seq(&[&OPENED, &HTTP, &[Handler, ReqSent, Close]]),
        State::Closed,
    );
}

#[test]
fn timeouts() {
    // Idle and header deadlines: the head is read in Idle.
    ends_in(&[Open, Accept, Timeout], State::Closed);
    ends_in(
        &seq(&[&OPENED, &HTTP, &[Directory, RespSent, Timeout]]),
        State::Closed,
    );
    // The client does not read what the server writes.
    ends_in(
        &seq(&[&OPENED, &HTTP, &[Directory, Timeout]]),
        State::Closed,
    );
    // Handler reply and WebSocket handshake deadlines: 504.
    ends_in(
        &seq(&[&OPENED, &HTTP, &[Handler, Timeout]]),
        State::Responding,
    );
    ends_in(
        &seq(&[&OPENED, &[ReqRecv, WsReq, Handler, ReqSent, Timeout]]),
        State::Responding,
    );
    // An established WebSocket that went quiet.
    ends_in(
        &seq(&[
            &OPENED,
            &[ReqRecv, WsReq, Handler, ReqSent, RespSent, Timeout],
        ]),
        State::Closed,
    );
    // Backend deadlines before the response started: 504.
    for stuck in [&[Proxy][..], &[Proxy, Connect], &[Proxy, Connect, ReqSent]] {
        ends_in(
            &seq(&[&OPENED, &HTTP, stuck, &[Timeout]]),
            State::Responding,
        );
    }
    // Idle with a kept backend connection; flushing after the backend closed.
    ends_in(
        &seq(&[
            &OPENED,
            &HTTP,
            &[Proxy, Connect, ReqSent, RespSent, Timeout],
        ]),
        State::Closed,
    );
    ends_in(
        &seq(&[
            &OPENED,
            &HTTP,
            &[Proxy, Connect, ReqSent, RemoteClose, Timeout],
        ]),
        State::Closed,
    );
}

#[test]
fn timeout_is_possible_exactly_where_a_deadline_runs() {
    let with_timeout: Vec<State> = State::ALL
        .into_iter()
        .filter(|&s| transition(s, Timeout).is_some())
        .collect();
    assert_eq!(
        with_timeout,
        [
            State::Idle,
            State::Queueing,
            State::Upgrading,
            State::WebSocket,
            State::Responding,
            State::Connecting,
            State::Sending,
            State::Receiving,
            State::Proxying,
            State::Closing,
        ]
    );
}

#[test]
fn client_hangs_up_in_every_live_state() {
    for state in State::ALL {
        let mut machine = machine_in(state);
        let result = machine.handle(Close);
        if state == State::Start || state.is_terminal() {
            assert!(result.is_err(), "CLOSE before OPEN or after CLOSE");
            assert_eq!(machine.state(), state);
        } else {
            assert_eq!(result, Ok(State::Closed), "CLOSE in {state}");
            assert!(machine.is_closed());
        }
    }
}

#[test]
fn backend_closes_in_every_state_it_can() {
    let expected = [
        // Before the request was taken: 502.
        (State::Sending, State::Responding),
        // Mid-response: flush what was relayed, then close.
        (State::Receiving, State::Closing),
        // The kept connection went away between requests: the client carries on.
        (State::Proxying, State::Idle),
    ];
    for state in State::ALL {
        let mut machine = machine_in(state);
        let result = machine.handle(RemoteClose);
        match expected.iter().find(|(from, _)| *from == state) {
            Some(&(_, to)) => assert_eq!(result, Ok(to), "REMOTE_CLOSE in {state}"),
            None => {
                assert!(result.is_err(), "REMOTE_CLOSE in {state}");
                assert_eq!(machine.state(), state);
            }
        }
    }
}

#[test]
fn proxy_connect_send_receive_keep_and_close() {
    walks(
        &seq(&[&OPENED, &HTTP, &[Proxy, Connect, ReqSent, RespSent, Close]]),
        &[
            State::Accepting,
            State::Idle,
            State::Identifying,
            State::HttpRouting,
            State::Connecting,
            State::Sending,
            State::Receiving,
            State::Proxying,
            State::Closed,
        ],
    );
}

#[test]
fn proxy_second_request_to_the_same_proxy() {
    // Routed again: PROXY and CONNECT (the kept connection) lead back into the proxy.
    walks(
        &seq(&[
            &OPENED,
            &HTTP,
            &[Proxy, Connect, ReqSent, RespSent],
            &HTTP,
            &[Proxy, Connect, ReqSent, RespSent],
        ]),
        &[
            State::Accepting,
            State::Idle,
            State::Identifying,
            State::HttpRouting,
            State::Connecting,
            State::Sending,
            State::Receiving,
            State::Proxying,
            State::Identifying,
            State::HttpRouting,
            State::Connecting,
            State::Sending,
            State::Receiving,
            State::Proxying,
        ],
    );
}

#[test]
fn request_for_another_target_reroutes_out_of_the_proxy() {
    let proxied = seq(&[&OPENED, &HTTP, &[Proxy, Connect, ReqSent, RespSent]]);
    ends_in(
        &seq(&[&proxied, &HTTP, &[Directory, RespSent]]),
        State::Idle,
    );
    ends_in(
        &seq(&[&proxied, &HTTP, &[Handler, ReqSent, RespSent]]),
        State::Idle,
    );
    ends_in(
        &seq(&[&proxied, &[ReqRecv, WsReq, Handler, ReqSent, RespSent]]),
        State::WebSocket,
    );
    // No route for the next request: answered, and the client stays.
    ends_in(&seq(&[&proxied, &HTTP, &[Failed, RespSent]]), State::Idle);
}

#[test]
fn proxy_failures() {
    // Backend unreachable: 502, keep-alive.
    ends_in(
        &seq(&[&OPENED, &HTTP, &[Proxy, Failed, RespSent]]),
        State::Idle,
    );
    // Garbage from the backend before the response started: 502.
    ends_in(
        &seq(&[&OPENED, &HTTP, &[Proxy, Connect, ReqSent, Failed, RespSent]]),
        State::Idle,
    );
    // The backend closes mid-response: Closing, then the client connection closes.
    walks(
        &seq(&[
            &OPENED,
            &HTTP,
            &[Proxy, Connect, ReqSent, RemoteClose, Close],
        ]),
        &[
            State::Accepting,
            State::Idle,
            State::Identifying,
            State::HttpRouting,
            State::Connecting,
            State::Sending,
            State::Receiving,
            State::Closing,
            State::Closed,
        ],
    );
    // Closing only closes.
    fails_at(
        &seq(&[
            &OPENED,
            &HTTP,
            &[Proxy, Connect, ReqSent, RemoteClose, RespSent],
        ]),
        8,
        State::Closing,
    );
    // The kept backend connection goes away between requests; the next request works.
    ends_in(
        &seq(&[
            &OPENED,
            &HTTP,
            &[Proxy, Connect, ReqSent, RespSent, RemoteClose],
            &HTTP,
            &[Directory, RespSent],
        ]),
        State::Idle,
    );
}

#[test]
fn msg_requests_are_routed() {
    ends_in(
        &seq(&[&OPENED, &[ReqRecv, MsgReq, Directory, RespSent]]),
        State::Idle,
    );
    // A socket message cannot go to an HTTP backend.
    fails_at(
        &seq(&[&OPENED, &[ReqRecv, MsgReq, Proxy]]),
        4,
        State::MsgRouting,
    );
    // Nor does it wait for a reply.
    fails_at(
        &seq(&[&OPENED, &[ReqRecv, MsgReq, Handler, RespSent]]),
        5,
        State::Delivering,
    );
}

#[test]
fn ws_requests_are_routed() {
    walks(
        &seq(&[
            &OPENED,
            &[ReqRecv, WsReq, Handler, ReqSent, RespSent],
            &[ReqSent, RespSent, RespSent, ReqSent, Close],
        ]),
        &[
            State::Accepting,
            State::Idle,
            State::Identifying,
            State::WsRouting,
            State::Upgrading,
            State::Upgrading,
            State::WebSocket,
            State::WebSocket,
            State::WebSocket,
            State::WebSocket,
            State::WebSocket,
            State::Closed,
        ],
    );
    // A directory serves the GET and ignores the upgrade; a proxy gets it forwarded.
    ends_in(
        &seq(&[&OPENED, &[ReqRecv, WsReq, Directory, RespSent]]),
        State::Idle,
    );
    ends_in(
        &seq(&[&OPENED, &[ReqRecv, WsReq, Proxy, Connect, ReqSent]]),
        State::Receiving,
    );
    // No route, no handler: answered.
    ends_in(
        &seq(&[&OPENED, &[ReqRecv, WsReq, Failed]]),
        State::Responding,
    );
    ends_in(
        &seq(&[&OPENED, &[ReqRecv, WsReq, Handler, Failed]]),
        State::Responding,
    );
    // A WebSocket does not go back to reading HTTP requests.
    fails_at(
        &seq(&[&OPENED, &[ReqRecv, WsReq, Handler, RespSent, ReqRecv]]),
        6,
        State::WebSocket,
    );
}

#[test]
fn events_in_the_wrong_order_are_refused() {
    fails_at(&[Accept], 0, State::Start);
    fails_at(&[Open, ReqRecv], 1, State::Accepting);
    fails_at(&[Open, Accept, HttpReq], 2, State::Idle);
    fails_at(&[Open, Accept, ReqRecv, Handler], 3, State::Identifying);
    fails_at(
        &[Open, Accept, ReqRecv, HttpReq, Connect],
        4,
        State::HttpRouting,
    );
    fails_at(
        &seq(&[&OPENED, &HTTP, &[Proxy, ReqSent]]),
        5,
        State::Connecting,
    );
    fails_at(&[Open, Close, Open], 2, State::Closed);
}

// ---------------------------------------------------------------------------------------
// The table as a whole
// ---------------------------------------------------------------------------------------

#[test]
fn every_impossible_event_is_an_error_that_changes_nothing() {
    let mut refused = 0;
    for state in State::ALL {
        for event in Event::ALL {
            if TRANSITIONS
                .iter()
                .any(|row| row.from == state && row.event == event)
            {
                continue;
            }
            let mut machine = machine_in(state);
            let before = machine;
            let err = machine.handle(event).expect_err("not in the table");
            assert_eq!(machine, before, "{event} in {state} changed the machine");
            assert_eq!(
                err,
                FsmError {
                    conn_id: 7,
                    state,
                    event
                }
            );
            assert_eq!(
                err.to_string(),
                format!(
                    "connection 7: event {} impossible in state {}",
                    event.name(),
                    state.name()
                )
            );
            // The machine is not poisoned: a possible event still works.
            if let Some(row) = TRANSITIONS.iter().find(|row| row.from == state) {
                assert_eq!(machine.handle(row.event), Ok(row.to));
            }
            refused += 1;
        }
    }
    assert_eq!(refused, State::COUNT * Event::COUNT - TRANSITIONS.len());
}

#[test]
fn every_possible_event_goes_where_the_table_says() {
    for row in TRANSITIONS {
        let mut machine = machine_in(row.from);
        assert_eq!(machine.handle(row.event), Ok(row.to), "{row}");
        assert_eq!(machine.state(), row.to);
    }
}

#[test]
fn every_state_is_reachable_from_the_initial_state() {
    let reached = closure(State::INITIAL, |state| {
        TRANSITIONS
            .iter()
            .filter(move |row| row.from == state)
            .map(|row| row.to)
    });
    for state in State::ALL {
        assert!(reached[state.index()], "{state} unreachable");
    }
}

#[test]
fn every_state_can_reach_the_terminal_state() {
    // Walk the table backwards from the terminal state.
    let reaches_end = closure(State::TERMINAL, |state| {
        TRANSITIONS
            .iter()
            .filter(move |row| row.to == state)
            .map(|row| row.from)
    });
    for state in State::ALL {
        assert!(reaches_end[state.index()], "{state} can never close");
    }
    // And nothing leaves the terminal state.
    assert!(TRANSITIONS.iter().all(|row| !row.from.is_terminal()));
}

/// The states reachable from `start` along `next`.
fn closure<I>(start: State, next: impl Fn(State) -> I) -> [bool; State::COUNT]
where
    I: Iterator<Item = State>,
{
    let mut seen = [false; State::COUNT];
    seen[start.index()] = true;
    let mut stack = vec![start];
    while let Some(state) = stack.pop() {
        for to in next(state) {
            if !seen[to.index()] {
                seen[to.index()] = true;
                stack.push(to);
            }
        }
    }
    seen
}

#[test]
fn all_events_are_used_and_names_parse() {
    for event in Event::ALL {
        assert!(
            TRANSITIONS.iter().any(|row| row.event == event),
            "{event} appears in no transition"
        );
        assert_eq!(event.name().parse::<Event>(), Ok(event));
    }
}

// ---------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------

/// A connection context for the filter tests: what was routed, what each filter saw.
#[derive(Default)]
struct Conn {
    target: &'static str,
    maintenance: Option<(&'static str, Event)>,
    seen: Vec<(&'static str, Event)>,
}

impl Divert for Conn {
    fn divert_to_maintenance(&mut self) -> Option<Event> {
        let (target, event) = self.maintenance?;
        self.target = target;
        Some(event)
    }
}

/// Notes the event it saw, then returns a fixed one (or the same one with `None`).
struct Note {
    tag: &'static str,
    to: Option<Event>,
}

impl EventFilter<Conn> for Note {
    fn filter(&self, event: Event, conn: &mut Conn) -> Event {
        conn.seen.push((self.tag, event));
        self.to.unwrap_or(event)
    }
}

fn note(tag: &'static str, to: Option<Event>) -> Arc<Note> {
    Arc::new(Note { tag, to })
}

/// A machine in HTTPRouting, fed through `filters`.
fn routing(filters: &Filters<Conn>, conn: &mut Conn) -> Machine {
    let mut machine = Machine::new(7);
    for event in [Open, Accept, ReqRecv, HttpReq] {
        machine
            .handle_filtered(event, filters, conn)
            .expect("request set-up");
    }
    machine
}

#[test]
fn a_filter_rewrites_the_event_before_its_transition() {
    let mut filters = Filters::new();
    filters.register(&[Handler], note("static", Some(Directory)));
    let mut conn = Conn::default();
    let mut machine = routing(&filters, &mut conn);
    assert_eq!(
        machine.handle_filtered(Handler, &filters, &mut conn),
        Ok(State::Responding)
    );
    assert_eq!(conn.seen, [("static", Handler)]);
}

#[test]
fn filters_only_see_the_events_they_registered_for() {
    let mut filters = Filters::new();
    filters.register(&[Timeout, Proxy], note("watch", None));
    let mut conn = Conn::default();
    let mut machine = routing(&filters, &mut conn);
    machine
        .handle_filtered(Directory, &filters, &mut conn)
        .expect("directory");
    assert!(conn.seen.is_empty());
    machine
        .handle_filtered(Timeout, &filters, &mut conn)
        .expect("timeout");
    assert_eq!(conn.seen, [("watch", Timeout)]);
}

#[test]
fn several_filters_run_in_registration_order_each_seeing_the_last_rewrite() {
    let mut filters = Filters::new();
    filters.register(&[Handler], note("first", Some(Proxy)));
    filters.register(&[Handler, Directory], note("second", None));
    filters.register(&[Handler], note("third", Some(Directory)));
    let mut conn = Conn::default();
    let mut machine = routing(&filters, &mut conn);
    assert_eq!(
        machine.handle_filtered(Handler, &filters, &mut conn),
        Ok(State::Responding)
    );
    assert_eq!(
        conn.seen,
        [("first", Handler), ("second", Proxy), ("third", Proxy)]
    );
}

#[test]
fn a_rewrite_to_an_impossible_event_is_an_error_on_the_rewritten_event() {
    let mut filters = Filters::new();
    filters.register(&[Handler], note("bad", Some(Connect)));
    let mut conn = Conn::default();
    let mut machine = routing(&filters, &mut conn);
    let err = machine
        .handle_filtered(Handler, &filters, &mut conn)
        .expect_err("CONNECT in HTTPRouting");
    assert_eq!((err.state, err.event), (State::HttpRouting, Connect));
    assert_eq!(machine.state(), State::HttpRouting);
}

#[test]
fn a_filter_can_close_the_connection() {
    // Mongrel2's null filter: every HANDLER becomes CLOSE.
    let mut filters = Filters::new();
    filters.register(&[Handler], note("null", Some(Close)));
    let mut conn = Conn::default();
    let mut machine = routing(&filters, &mut conn);
    assert_eq!(
        machine.handle_filtered(Handler, &filters, &mut conn),
        Ok(State::Closed)
    );
}

fn maintenance(on: bool) -> (Arc<AtomicBool>, Filters<Conn>) {
    let switch = Arc::new(AtomicBool::new(on));
    let mut filters = Filters::new();
    MaintenanceFilter::new(Arc::clone(&switch)).register_in(&mut filters);
    (switch, filters)
}

#[test]
fn maintenance_off_passes_everything() {
    let (_, filters) = maintenance(false);
    let mut conn = Conn {
        target: "app",
        maintenance: Some(("maintenance dir", Directory)),
        ..Conn::default()
    };
    let mut machine = routing(&filters, &mut conn);
    assert_eq!(
        machine.handle_filtered(Handler, &filters, &mut conn),
        Ok(State::Queueing)
    );
    assert_eq!(conn.target, "app");
}

#[test]
fn maintenance_on_diverts_handler_proxy_and_directory() {
    for routed in MaintenanceFilter::EVENTS {
        for (target, event, expected) in [
            ("maintenance dir", Directory, State::Responding),
            ("maintenance handler", Handler, State::Queueing),
            ("maintenance proxy", Proxy, State::Connecting),
        ] {
            let (_, filters) = maintenance(true);
            let mut conn = Conn {
                target: "app",
                maintenance: Some((target, event)),
                ..Conn::default()
            };
            let mut machine = routing(&filters, &mut conn);
            assert_eq!(
                machine.handle_filtered(routed, &filters, &mut conn),
                Ok(expected),
                "{routed} diverted to {target}"
            );
            assert_eq!(conn.target, target);
        }
    }
}

#[test]
fn maintenance_on_without_a_target_keeps_the_event() {
    let (_, filters) = maintenance(true);
    let mut conn = Conn {
        target: "app",
        maintenance: None,
        ..Conn::default()
    };
    let mut machine = routing(&filters, &mut conn);
    assert_eq!(
        machine.handle_filtered(Proxy, &filters, &mut conn),
        Ok(State::Connecting)
    );
    assert_eq!(conn.target, "app");
}

#[test]
fn maintenance_leaves_other_events_alone() {
    let (_, filters) = maintenance(true);
    for event in Event::ALL {
        let mut conn = Conn {
            target: "app",
            maintenance: Some(("maintenance dir", Directory)),
            ..Conn::default()
        };
        let out = filters.apply(event, &mut conn);
        if MaintenanceFilter::EVENTS.contains(&event) {
            assert_eq!(out, Directory);
        } else {
            assert_eq!(out, event, "{event} untouched");
            assert_eq!(conn.target, "app");
        }
    }
}

#[test]
fn maintenance_switch_flips_live_between_requests() {
    let (switch, filters) = maintenance(false);
    let mut conn = Conn {
        target: "app",
        maintenance: Some(("maintenance dir", Directory)),
        ..Conn::default()
    };
    let mut machine = routing(&filters, &mut conn);
    for (on, routed, expected) in [
        (false, Handler, State::Queueing),
        (true, Handler, State::Responding),
        (false, Handler, State::Queueing),
    ] {
        switch.store(on, Ordering::Release);
        conn.target = "app";
        if machine.state() != State::HttpRouting {
            let reply = if machine.state() == State::Queueing {
                [ReqSent, RespSent].as_slice()
            } else {
                [RespSent].as_slice()
            };
            for &event in reply.iter().chain(&HTTP) {
                machine
                    .handle_filtered(event, &filters, &mut conn)
                    .expect("next request");
            }
        }
        assert_eq!(
            machine.handle_filtered(routed, &filters, &mut conn),
            Ok(expected),
            "maintenance {on}"
        );
    }
}

#[test]
fn maintenance_after_another_filter_sees_its_rewrite() {
    // A filter ahead of maintenance turns HANDLER into CLOSE; maintenance leaves CLOSE be.
    let mut filters = Filters::new();
    filters.register(&[Handler], note("deny", Some(Close)));
    MaintenanceFilter::new(Arc::new(AtomicBool::new(true))).register_in(&mut filters);
    let mut conn = Conn {
        target: "app",
        maintenance: Some(("maintenance dir", Directory)),
        ..Conn::default()
    };
    assert_eq!(filters.apply(Handler, &mut conn), Close);
    assert_eq!(conn.target, "app");
}

// ---------------------------------------------------------------------------------------
// Traces
// ---------------------------------------------------------------------------------------

/// One captured tracing event: its level and its fields as text.
#[derive(Debug, Clone, PartialEq)]
struct Captured {
    level: tracing::Level,
    fields: Vec<(String, String)>,
}

impl Captured {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }

    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        self.0.push((field.name().to_owned(), value.to_string()));
    }
}

/// A layer that keeps every event.
struct Capture(Arc<Mutex<Vec<Captured>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        if let Ok(mut events) = self.0.lock() {
            events.push(Captured {
                level: *event.metadata().level(),
                fields,
            });
        }
    }
}

/// Runs `f` with a capturing subscriber and returns what it traced.
fn traced(f: impl FnOnce()) -> Vec<Captured> {
    use tracing_subscriber::layer::SubscriberExt;

    let events = Arc::new(Mutex::new(Vec::new()));
    let subscriber = tracing_subscriber::registry().with(Capture(Arc::clone(&events)));
    tracing::subscriber::with_default(subscriber, f);
    let captured = events.lock().map(|e| e.clone()).unwrap_or_default();
    captured
}

#[test]
fn every_transition_is_traced_at_debug_with_conn_state_and_event() {
    let captured = traced(|| {
        let mut machine = Machine::new(42);
        for event in [Open, Accept, ReqRecv, HttpReq, Directory, RespSent, Close] {
            machine.handle(event).expect("http_dir");
        }
    });
    assert_eq!(captured.len(), 7);
    let expected = [
        ("Start", "OPEN", "Accepting"),
        ("Accepting", "ACCEPT", "Idle"),
        ("Idle", "REQ_RECV", "Identifying"),
        ("Identifying", "HTTP_REQ", "HTTPRouting"),
        ("HTTPRouting", "DIRECTORY", "Responding"),
        ("Responding", "RESP_SENT", "Idle"),
        ("Idle", "CLOSE", "Closed"),
    ];
    for (record, (from, event, to)) in captured.iter().zip(expected) {
        assert_eq!(record.level, tracing::Level::DEBUG);
        assert_eq!(record.field("conn"), Some("42"));
        assert_eq!(record.field("from"), Some(from));
        assert_eq!(record.field("event"), Some(event));
        assert_eq!(record.field("to"), Some(to));
    }
}

#[test]
fn an_impossible_event_is_traced_at_warn() {
    let captured = traced(|| {
        let mut machine = Machine::new(5);
        machine.handle(Open).expect("open");
        assert!(machine.handle(RespSent).is_err());
    });
    let warn = captured
        .iter()
        .find(|c| c.level == tracing::Level::WARN)
        .expect("a warning");
    assert_eq!(warn.field("conn"), Some("5"));
    assert_eq!(warn.field("state"), Some("Accepting"));
    assert_eq!(warn.field("event"), Some("RESP_SENT"));
}

#[test]
fn a_rewrite_is_traced_at_debug_with_the_connection() {
    let switch = Arc::new(AtomicBool::new(true));
    let mut filters = Filters::new();
    MaintenanceFilter::new(switch).register_in(&mut filters);
    let mut conn = Conn {
        target: "app",
        maintenance: Some(("maintenance dir", Directory)),
        ..Conn::default()
    };
    let captured = traced(|| {
        let mut machine = routing(&filters, &mut conn);
        machine
            .handle_filtered(Handler, &filters, &mut conn)
            .expect("diverted");
    });
    let rewrite = captured
        .iter()
        .find(|c| c.field("filter").is_some())
        .expect("a rewrite trace");
    assert_eq!(rewrite.level, tracing::Level::DEBUG);
    assert_eq!(rewrite.field("conn"), Some("7"));
    assert_eq!(rewrite.field("from"), Some("HANDLER"));
    assert_eq!(rewrite.field("to"), Some("DIRECTORY"));
    let last = captured.last().expect("the transition");
    assert_eq!(last.field("event"), Some("DIRECTORY"));
    assert_eq!(last.field("to"), Some("Responding"));
}
