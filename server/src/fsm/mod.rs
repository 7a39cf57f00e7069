//! The connection state machine: events, states, the transition table as data, event
//! filters and the Graphviz drawing.
//!
//! Every client connection carries a [`Machine`]. The connection code does the I/O and
//! raises an [`Event`] for what happened (`REQ_RECV`: a request head is in; `HANDLER`: it
//! was routed to a handler; `TIMEOUT`: a deadline passed; ...); the machine looks the event
//! up in [`TRANSITIONS`] and answers with the next [`State`], which tells the connection
//! code what to do next. An event the table does not allow is an [`FsmError`], never a
//! panic, and leaves the state as it was. Having the flow in one table rather than in ifs
//! spread over the connection code makes it readable, testable by replay (feed a sequence
//! of events, check where it ends, like Mongrel2's `state_tests.c`) and drawable ([`dot`]).
//!
//! The events and most states are Mongrel2's (`src/state.rl`, `src/events.h`), so traces
//! read like Mongrel2's. Where nagrel does better the table says so: `TIMEOUT` is used (idle,
//! header, handler-reply and backend deadlines; a handler that does not answer in time gets
//! the client a 504), a handler request stays in `Queueing` until its reply is written, a
//! failure the server can still answer (no route, no handler, backend down) goes to
//! `Responding` with an error status instead of closing, and every request on a proxied
//! connection is routed again, leaving the proxy when it is for another target.
//!
//! # Layout
//!
//! - [`Event`] (`event.rs`): the 17 events, with their Mongrel2 names.
//! - [`State`] (`state.rs`): the 18 states; which ones nagrel adds and why.
//! - [`TRANSITIONS`] and [`transition`] (`table.rs`): the table, and its O(1) lookup.
//! - [`Machine`] and [`FsmError`] (`machine.rs`): one connection's machine, traced.
//! - [`EventFilter`] and [`Filters`] (`filter.rs`): code that may rewrite an event before
//!   its transition, registered per event.
//! - [`MaintenanceFilter`] and [`Divert`] (`maintenance.rs`): the first filter, sending
//!   requests to a maintenance target while a shared switch is on.
//! - [`dot`] (`dot.rs`): the table drawn as Graphviz.
//!
//! # The table
//!
//! ```text
//! Start        OPEN -> Accepting
//! Accepting    ACCEPT -> Idle
//! Idle         REQ_RECV -> Identifying        TIMEOUT -> Closed
//! Identifying  HTTP_REQ -> HTTPRouting        MSG_REQ -> MSGRouting
//!              WS_REQ -> WSRouting            SOCKET_REQ -> Responding
//! HTTPRouting  HANDLER -> Queueing            DIRECTORY -> Responding
//!              PROXY -> Connecting            FAILED -> Responding
//! MSGRouting   HANDLER -> Delivering          DIRECTORY -> Responding
//! WSRouting    HANDLER -> Upgrading           DIRECTORY -> Responding
//!              PROXY -> Connecting            FAILED -> Responding
//! Queueing     REQ_SENT -> Queueing           RESP_SENT -> Idle
//!              TIMEOUT -> Responding          FAILED -> Responding
//! Delivering   REQ_SENT -> Idle
//! Upgrading    REQ_SENT -> Upgrading          RESP_SENT -> WebSocket
//!              TIMEOUT -> Responding          FAILED -> Responding
//! WebSocket    REQ_SENT -> WebSocket          RESP_SENT -> WebSocket
//!              TIMEOUT -> Closed
//! Responding   RESP_SENT -> Idle              TIMEOUT -> Closed
//! Connecting   CONNECT -> Sending             FAILED, TIMEOUT -> Responding
//! Sending      REQ_SENT -> Receiving          REMOTE_CLOSE, FAILED, TIMEOUT -> Responding
//! Receiving    RESP_SENT -> Proxying          REMOTE_CLOSE -> Closing
//!              FAILED, TIMEOUT -> Responding
//! Proxying     REQ_RECV -> Identifying        REMOTE_CLOSE -> Idle
//!              TIMEOUT -> Closed
//! Closing      TIMEOUT -> Closed
//! every state but Start and Closed:  CLOSE -> Closed
//! ```
//!
//! # Example
//!
//! A keep-alive connection: a handler request answered, then a directory request, then the
//! client hangs up.
//!
//! ```
//! use nagrel_server::fsm::{Event::*, Machine, State};
//!
//! let mut machine = Machine::new(1);
//! for event in [
//!     Open, Accept,
//!     ReqRecv, HttpReq, Handler, ReqSent, RespSent,
//!     ReqRecv, HttpReq, Directory, RespSent,
//!     Close,
//! ] {
//!     machine.handle(event)?;
//! }
//! assert_eq!(machine.state(), State::Closed);
//! # Ok::<(), nagrel_server::fsm::FsmError>(())
//! ```

mod dot;
mod event;
mod filter;
mod machine;
mod maintenance;
mod state;
mod table;

pub use dot::dot;
pub use event::{Event, ParseEventError};
pub use filter::{EventFilter, Filters};
pub use machine::{FsmError, Machine};
pub use maintenance::{Divert, MaintenanceFilter};
pub use state::State;
pub use table::{transition, Transition, TRANSITIONS};
