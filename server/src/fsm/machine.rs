//! One connection's machine: its id and current state, moved on by events through the
//! transition table, every step traced.

use std::fmt;

use super::event::Event;
use super::filter::Filters;
use super::state::State;
use super::table::transition;

/// The state machine of one client connection.
///
/// The connection code raises events; [`Machine::handle`] looks each one up in
/// [`TRANSITIONS`](super::TRANSITIONS) and moves to the next state, or refuses an event the
/// table does not allow with an [`FsmError`] and stays where it was. Each step is one array
/// lookup and one `tracing` call: no allocation.
///
/// Every transition is traced at debug level with the fields `conn`, `from`, `event` and
/// `to`; an impossible event is traced at warn level with `conn`, `state` and `event`.
///
/// # Example
///
/// Mongrel2's `http_dir` replay: a directory request, then the client closes.
///
/// ```
/// use nagrel_server::fsm::{Event::*, Machine, State};
///
/// let mut machine = Machine::new(7);
/// for event in [Open, Accept, ReqRecv, HttpReq, Directory, RespSent, Close] {
///     machine.handle(event)?;
/// }
/// assert_eq!(machine.state(), State::Closed);
///
/// let err = machine.handle(Close).unwrap_err();
/// assert_eq!(err.to_string(), "connection 7: event CLOSE impossible in state Closed");
/// # Ok::<(), nagrel_server::fsm::FsmError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Machine {
    conn_id: u64,
    state: State,
}

impl Machine {
    /// A machine for connection `conn_id`, in [`State::INITIAL`].
    ///
    /// ```
    /// use nagrel_server::fsm::{Machine, State};
    ///
    /// assert_eq!(Machine::new(1).state(), State::Start);
    /// ```
    pub const fn new(conn_id: u64) -> Self {
        Machine {
            conn_id,
            state: State::INITIAL,
        }
    }

    /// The connection id given to [`Machine::new`].
    ///
    /// ```
    /// assert_eq!(nagrel_server::fsm::Machine::new(42).conn_id(), 42);
    /// ```
    pub const fn conn_id(&self) -> u64 {
        self.conn_id
    }

    /// The current state.
    ///
    /// ```
    /// use nagrel_server::fsm::{Event, Machine, State};
    ///
    /// let mut machine = Machine::new(1);
    /// machine.handle(Event::Open)?;
    /// assert_eq!(machine.state(), State::Accepting);
    /// # Ok::<(), nagrel_server::fsm::FsmError>(())
    /// ```
    pub const fn state(&self) -> State {
        self.state
    }

    /// Whether the connection has reached [`State::Closed`].
    ///
    /// ```
    /// use nagrel_server::fsm::{Event, Machine};
    ///
    /// let mut machine = Machine::new(1);
    /// machine.handle(Event::Open)?;
    /// machine.handle(Event::Close)?;
    /// assert!(machine.is_closed());
    /// # Ok::<(), nagrel_server::fsm::FsmError>(())
    /// ```
    pub const fn is_closed(&self) -> bool {
        self.state.is_terminal()
    }

    /// Feeds one event: returns the new state, or an [`FsmError`] (state unchanged) when
    /// the table has no transition for this event in the current state.
    ///
    /// ```
    /// use nagrel_server::fsm::{Event, Machine, State};
    ///
    /// let mut machine = Machine::new(3);
    /// assert_eq!(machine.handle(Event::Open), Ok(State::Accepting));
    /// assert!(machine.handle(Event::RespSent).is_err());
    /// assert_eq!(machine.state(), State::Accepting);
    /// ```
    pub fn handle(&mut self, event: Event) -> Result<State, FsmError> {
        let from = self.state;
        match transition(from, event) {
            Some(to) => {
                tracing::debug!(
                    conn = self.conn_id,
                    from = from.name(),
                    event = event.name(),
                    to = to.name(),
                    "connection transition"
                );
                self.state = to;
                Ok(to)
            }
            None => {
                tracing::warn!(
                    conn = self.conn_id,
                    state = from.name(),
                    event = event.name(),
                    "impossible connection event"
                );
                Err(FsmError {
                    conn_id: self.conn_id,
                    state: from,
                    event,
                })
            }
        }
    }

    /// Runs `event` through the filters registered for it (which may rewrite it, see
    /// [`Filters::apply`]), then feeds the resulting event to [`Machine::handle`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// use nagrel_server::fsm::{Event, EventFilter, Filters, Machine, State};
    ///
    /// /// Sends every handler request to the directory instead.
    /// struct AllStatic;
    /// impl EventFilter<()> for AllStatic {
    ///     fn filter(&self, _event: Event, _conn: &mut ()) -> Event {
    ///         Event::Directory
    ///     }
    /// }
    ///
    /// let mut filters = Filters::new();
    /// filters.register(&[Event::Handler], Arc::new(AllStatic));
    ///
    /// let mut machine = Machine::new(1);
    /// for event in [Event::Open, Event::Accept, Event::ReqRecv, Event::HttpReq] {
    ///     machine.handle_filtered(event, &filters, &mut ())?;
    /// }
    /// assert_eq!(
    ///     machine.handle_filtered(Event::Handler, &filters, &mut ())?,
    ///     State::Responding
    /// );
    /// # Ok::<(), nagrel_server::fsm::FsmError>(())
    /// ```
    pub fn handle_filtered<C: ?Sized>(
        &mut self,
        event: Event,
        filters: &Filters<C>,
        conn: &mut C,
    ) -> Result<State, FsmError> {
        let event = filters.run(event, conn, Some(self.conn_id));
        self.handle(event)
    }
}

/// An event the transition table does not allow in the connection's current state.
///
/// The machine is left in [`FsmError::state`]. Raising such an event is a bug in the
/// connection code, not something a client can cause; the connection code should log it
/// and close the connection.
///
/// ```
/// use nagrel_server::fsm::{Event, FsmError, Machine, State};
///
/// let mut machine = Machine::new(9);
/// let err: FsmError = machine.handle(Event::ReqSent).unwrap_err();
/// assert_eq!((err.conn_id, err.state, err.event), (9, State::Start, Event::ReqSent));
/// assert_eq!(err.to_string(), "connection 9: event REQ_SENT impossible in state Start");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FsmError {
    /// The connection the event was raised on.
    pub conn_id: u64,
    /// The state the connection was (and still is) in.
    pub state: State,
    /// The refused event.
    pub event: Event,
}

impl fmt::Display for FsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "connection {}: event {} impossible in state {}",
            self.conn_id, self.event, self.state
        )
    }
}

impl std::error::Error for FsmError {}
