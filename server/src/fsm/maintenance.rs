//! The maintenance filter: while maintenance is on, every request that was routed to a
//! handler, proxy or directory goes to the configured maintenance target instead.
//!
//! The switch is shared (`Arc<AtomicBool>`) so a config reload or the control port can turn
//! maintenance on and off under live connections; the target itself is the connection
//! context's business ([`Divert`]), since only it knows the configuration it runs with.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::event::Event;
use super::filter::{EventFilter, Filters};

/// A connection context that can swap its routed target for the maintenance target.
///
/// # Example
///
/// ```
/// use nagrel_server::fsm::{Divert, Event};
///
/// /// A context whose maintenance target is a directory.
/// struct Conn {
///     target: &'static str,
/// }
///
/// impl Divert for Conn {
///     fn divert_to_maintenance(&mut self) -> Option<Event> {
///         self.target = "maintenance page";
///         Some(Event::Directory)
///     }
/// }
///
/// let mut conn = Conn { target: "app handler" };
/// assert_eq!(conn.divert_to_maintenance(), Some(Event::Directory));
/// assert_eq!(conn.target, "maintenance page");
/// ```
pub trait Divert {
    /// Replaces the routed target with the maintenance target and returns the event for
    /// that target's kind: [`Event::Handler`], [`Event::Directory`] or [`Event::Proxy`].
    /// `None` when no maintenance target is configured: the routed target stays and so
    /// does the event.
    fn divert_to_maintenance(&mut self) -> Option<Event>;
}

/// Sends `HANDLER`, `PROXY` and `DIRECTORY` to the maintenance target while its switch is
/// on; passes every event unchanged while it is off.
///
/// # Example
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
/// use nagrel_server::fsm::{Divert, Event, Filters, MaintenanceFilter};
///
/// struct Conn;
/// impl Divert for Conn {
///     fn divert_to_maintenance(&mut self) -> Option<Event> {
///         Some(Event::Directory)
///     }
/// }
///
/// let switch = Arc::new(AtomicBool::new(false));
/// let mut filters = Filters::new();
/// MaintenanceFilter::new(Arc::clone(&switch)).register_in(&mut filters);
///
/// assert_eq!(filters.apply(Event::Handler, &mut Conn), Event::Handler);
/// switch.store(true, Ordering::Release); // e.g. on a config reload
/// assert_eq!(filters.apply(Event::Handler, &mut Conn), Event::Directory);
/// ```
#[derive(Debug, Clone)]
pub struct MaintenanceFilter {
    switch: Arc<AtomicBool>,
}

impl MaintenanceFilter {
    /// The events the filter is registered for: the three routing results.
    pub const EVENTS: [Event; 3] = [Event::Handler, Event::Proxy, Event::Directory];

    /// A filter following `switch`: maintenance is on while it holds `true`. Whoever turns
    /// it on should store with `Release` after publishing the maintenance target, so a
    /// connection that sees the switch on also sees the target.
    ///
    /// ```
    /// use std::sync::atomic::AtomicBool;
    /// use std::sync::Arc;
    /// use nagrel_server::fsm::MaintenanceFilter;
    ///
    /// let filter = MaintenanceFilter::new(Arc::new(AtomicBool::new(true)));
    /// assert!(filter.is_on());
    /// ```
    pub fn new(switch: Arc<AtomicBool>) -> Self {
        MaintenanceFilter { switch }
    }

    /// The shared switch, to flip maintenance on or off.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::sync::Arc;
    /// use nagrel_server::fsm::MaintenanceFilter;
    ///
    /// let filter = MaintenanceFilter::new(Arc::new(AtomicBool::new(false)));
    /// filter.switch().store(true, Ordering::Release);
    /// assert!(filter.is_on());
    /// ```
    pub fn switch(&self) -> &Arc<AtomicBool> {
        &self.switch
    }

    /// Whether maintenance is on now.
    ///
    /// ```
    /// use std::sync::atomic::AtomicBool;
    /// use std::sync::Arc;
    /// use nagrel_server::fsm::MaintenanceFilter;
    ///
    /// assert!(!MaintenanceFilter::new(Arc::new(AtomicBool::new(false))).is_on());
    /// ```
    pub fn is_on(&self) -> bool {
        self.switch.load(Ordering::Acquire)
    }

    /// Registers the filter in `filters` for [`MaintenanceFilter::EVENTS`], after the
    /// filters already there.
    ///
    /// ```
    /// use std::sync::atomic::AtomicBool;
    /// use std::sync::Arc;
    /// use nagrel_server::fsm::{Divert, Event, Filters, MaintenanceFilter};
    ///
    /// struct Conn;
    /// impl Divert for Conn {
    ///     fn divert_to_maintenance(&mut self) -> Option<Event> {
    ///         None
    ///     }
    /// }
    ///
    /// let mut filters = Filters::<Conn>::new();
    /// MaintenanceFilter::new(Arc::new(AtomicBool::new(true))).register_in(&mut filters);
    /// assert_eq!(filters.registered(Event::Proxy), 1);
    /// assert_eq!(filters.registered(Event::ReqRecv), 0);
    /// ```
    pub fn register_in<C: Divert + ?Sized>(self, filters: &mut Filters<C>) {
        filters.register(&Self::EVENTS, Arc::new(self));
    }
}

impl<C: Divert + ?Sized> EventFilter<C> for MaintenanceFilter {
    fn filter(&self, event: Event, conn: &mut C) -> Event {
        // An earlier filter may have turned the event into something else: leave that be.
        if !Self::EVENTS.contains(&event) || !self.is_on() {
            return event;
        }
        conn.divert_to_maintenance().unwrap_or(event)
    }
}
