//! Event filters: code that sees an event before its transition and may rewrite it.
//!
//! This is Mongrel2's filter API (`filter_init` names the events a filter wants,
//! `filter_transition(event, conn)` returns the event to use) with Rust types: a filter is
//! an [`EventFilter`] registered in [`Filters`] for a set of events. The connection context
//! type `C` is whatever the server's connection code passes; filters that need something
//! from it say so with a bound (the maintenance filter needs
//! [`Divert`](super::Divert)).
//!
//! One difference from Mongrel2: Mongrel2 stops at the first filter that changes the event;
//! here every filter registered for the original event runs, in registration order, each
//! seeing the event as the filters before it left it.

use std::fmt;
use std::sync::Arc;

use super::event::Event;

/// A filter: looks at an event (and the connection) just before its transition and returns
/// the event to use instead, or the same one.
///
/// A filter runs only for the events it was registered for, but once an earlier filter
/// rewrote the event it sees the new one, so it should pass events it does not handle
/// through unchanged.
///
/// # Example
///
/// ```
/// use nagrel_server::fsm::{Event, EventFilter};
///
/// /// Refuses every request while the server drains: routing results become CLOSE.
/// struct Draining;
///
/// impl<C> EventFilter<C> for Draining {
///     fn filter(&self, event: Event, _conn: &mut C) -> Event {
///         match event {
///             Event::Handler | Event::Proxy | Event::Directory => Event::Close,
///             other => other,
///         }
///     }
/// }
///
/// assert_eq!(Draining.filter(Event::Proxy, &mut ()), Event::Close);
/// assert_eq!(Draining.filter(Event::Timeout, &mut ()), Event::Timeout);
/// ```
pub trait EventFilter<C: ?Sized>: Send + Sync {
    /// Returns the event the transition should use; may change the connection context.
    fn filter(&self, event: Event, conn: &mut C) -> Event;
}

/// The filters registered per event, run by [`Filters::apply`] and
/// [`Machine::handle_filtered`](super::Machine::handle_filtered).
///
/// Registration builds a per-event list, so applying the filters to an event no filter
/// wants is one index and one length check.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use nagrel_server::fsm::{Event, EventFilter, Filters};
///
/// /// Counts the handler requests it sees.
/// struct Count;
/// impl EventFilter<u32> for Count {
///     fn filter(&self, event: Event, seen: &mut u32) -> Event {
///         *seen += 1;
///         event
///     }
/// }
///
/// let mut filters = Filters::new();
/// filters.register(&[Event::Handler], Arc::new(Count));
///
/// let mut seen = 0;
/// assert_eq!(filters.apply(Event::Handler, &mut seen), Event::Handler);
/// assert_eq!(filters.apply(Event::Directory, &mut seen), Event::Directory);
/// assert_eq!(seen, 1);
/// ```
pub struct Filters<C: ?Sized> {
    by_event: [Vec<Arc<dyn EventFilter<C>>>; Event::COUNT],
}

impl<C: ?Sized> Filters<C> {
    /// No filters.
    ///
    /// ```
    /// let filters = nagrel_server::fsm::Filters::<()>::new();
    /// assert!(filters.is_empty());
    /// ```
    pub fn new() -> Self {
        Filters {
            by_event: std::array::from_fn(|_| Vec::new()),
        }
    }

    /// Registers `filter` for each event in `events`, after the filters already registered
    /// for it. An event listed more than once is registered once.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use nagrel_server::fsm::{Event, EventFilter, Filters};
    ///
    /// struct Pass;
    /// impl EventFilter<()> for Pass {
    ///     fn filter(&self, event: Event, _: &mut ()) -> Event {
    ///         event
    ///     }
    /// }
    ///
    /// let mut filters = Filters::new();
    /// filters.register(&[Event::Proxy, Event::Proxy, Event::Timeout], Arc::new(Pass));
    /// assert_eq!(filters.registered(Event::Proxy), 1);
    /// assert_eq!(filters.registered(Event::Timeout), 1);
    /// assert_eq!(filters.registered(Event::Open), 0);
    /// ```
    pub fn register(&mut self, events: &[Event], filter: Arc<dyn EventFilter<C>>) {
        for (i, event) in events.iter().enumerate() {
            if events[..i].contains(event) {
                continue;
            }
            self.by_event[event.index()].push(Arc::clone(&filter));
        }
    }

    /// How many filters are registered for `event`.
    ///
    /// ```
    /// use nagrel_server::fsm::{Event, Filters};
    ///
    /// assert_eq!(Filters::<()>::new().registered(Event::Handler), 0);
    /// ```
    pub fn registered(&self, event: Event) -> usize {
        self.by_event[event.index()].len()
    }

    /// Whether no filter is registered at all.
    ///
    /// ```
    /// assert!(nagrel_server::fsm::Filters::<()>::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.by_event.iter().all(Vec::is_empty)
    }

    /// Runs the filters registered for `event`, in registration order, and returns the
    /// event the last one left. Each filter gets the event as the filters before it left
    /// it; with no filter registered for `event`, `event` comes back unchanged.
    ///
    /// Every rewrite is traced at debug level (fields `filter`: the filter's position for
    /// this event, `from`, `to`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use nagrel_server::fsm::{Event, EventFilter, Filters};
    ///
    /// struct To(Event);
    /// impl EventFilter<()> for To {
    ///     fn filter(&self, _: Event, _: &mut ()) -> Event {
    ///         self.0
    ///     }
    /// }
    ///
    /// let mut filters = Filters::new();
    /// filters.register(&[Event::Handler], Arc::new(To(Event::Proxy)));
    /// filters.register(&[Event::Handler], Arc::new(To(Event::Directory)));
    /// assert_eq!(filters.apply(Event::Handler, &mut ()), Event::Directory);
    /// ```
    pub fn apply(&self, event: Event, conn: &mut C) -> Event {
        self.run(event, conn, None)
    }

    /// [`Filters::apply`], with the connection id in the traces when there is one.
    pub(super) fn run(&self, event: Event, conn: &mut C, conn_id: Option<u64>) -> Event {
        let mut current = event;
        for (position, filter) in self.by_event[event.index()].iter().enumerate() {
            let next = filter.filter(current, conn);
            if next != current {
                match conn_id {
                    Some(id) => tracing::debug!(
                        conn = id,
                        filter = position,
                        from = current.name(),
                        to = next.name(),
                        "event rewritten by filter"
                    ),
                    None => tracing::debug!(
                        filter = position,
                        from = current.name(),
                        to = next.name(),
                        "event rewritten by filter"
                    ),
                }
                current = next;
            }
        }
        current
    }
}

impl<C: ?Sized> Default for Filters<C> {
    fn default() -> Self {
        Filters::new()
    }
}

impl<C: ?Sized> Clone for Filters<C> {
    fn clone(&self) -> Self {
        Filters {
            by_event: self.by_event.clone(),
        }
    }
}

impl<C: ?Sized> fmt::Debug for Filters<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for event in Event::ALL {
            let count = self.registered(event);
            if count > 0 {
                map.entry(&event.name(), &count);
            }
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records what it saw in the context and returns a fixed event.
    struct Rewrite {
        tag: &'static str,
        to: Event,
    }

    impl EventFilter<Vec<(&'static str, Event)>> for Rewrite {
        fn filter(&self, event: Event, seen: &mut Vec<(&'static str, Event)>) -> Event {
            seen.push((self.tag, event));
            self.to
        }
    }

    fn rewrite(tag: &'static str, to: Event) -> Arc<Rewrite> {
        Arc::new(Rewrite { tag, to })
    }

    #[test]
    fn runs_in_registration_order_and_later_filters_see_the_rewrite() {
        let mut filters = Filters::new();
        filters.register(&[Event::Handler], rewrite("a", Event::Proxy));
        filters.register(
            &[Event::Handler, Event::Proxy],
            rewrite("b", Event::Directory),
        );
        filters.register(&[Event::Handler], rewrite("c", Event::Directory));

        let mut seen = Vec::new();
        assert_eq!(filters.apply(Event::Handler, &mut seen), Event::Directory);
        assert_eq!(
            seen,
            [
                ("a", Event::Handler),
                ("b", Event::Proxy),
                ("c", Event::Directory)
            ]
        );
    }

    #[test]
    fn the_list_of_the_original_event_is_the_one_that_runs() {
        // "b" is registered for PROXY only; a HANDLER rewritten to PROXY does not reach it.
        let mut filters = Filters::new();
        filters.register(&[Event::Handler], rewrite("a", Event::Proxy));
        filters.register(&[Event::Proxy], rewrite("b", Event::Close));

        let mut seen = Vec::new();
        assert_eq!(filters.apply(Event::Handler, &mut seen), Event::Proxy);
        assert_eq!(seen, [("a", Event::Handler)]);
    }

    #[test]
    fn no_filter_no_change() {
        let filters: Filters<Vec<(&'static str, Event)>> = Filters::new();
        let mut seen = Vec::new();
        for event in Event::ALL {
            assert_eq!(filters.apply(event, &mut seen), event);
        }
        assert!(seen.is_empty());
        assert!(filters.is_empty());
    }

    #[test]
    fn duplicates_in_one_registration_count_once() {
        let mut filters = Filters::new();
        filters.register(
            &[Event::Open, Event::Open, Event::Open],
            rewrite("a", Event::Open),
        );
        let mut seen = Vec::new();
        filters.apply(Event::Open, &mut seen);
        assert_eq!(seen.len(), 1);
    }

    #[test]
    fn clone_and_debug_show_the_registrations() {
        let mut filters = Filters::new();
        filters.register(
            &[Event::Handler, Event::Timeout],
            rewrite("a", Event::Close),
        );
        let copy = filters.clone();
        assert_eq!(copy.registered(Event::Handler), 1);
        assert_eq!(format!("{copy:?}"), r#"{"HANDLER": 1, "TIMEOUT": 1}"#);
    }
}
