//! The [`Step`] trait every decoder implements, and [`StepExt`], its combinators.

use crate::combinators::{AndThen, BoxedStep, IgnoreThen, Limit, Map, Then, ThenIgnore, TryMap};
use crate::error::{DecodeError, ErrorKind};
use crate::input::Input;

/// The result of resuming a step: either its output, or "feed me more".
///
/// Needing more input is not an error, so it is not an `Err`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Status<T> {
    /// The step finished and produced its output.
    Ready(T),
    /// The step needs more input; resume it once more bytes (or EOF) arrive.
    Pending,
}

impl<T> Status<T> {
    /// Applies `f` to a ready value.
    #[inline]
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Status<U> {
        match self {
            Status::Ready(v) => Status::Ready(f(v)),
            Status::Pending => Status::Pending,
        }
    }

    /// Whether the step finished.
    #[inline]
    pub fn is_ready(&self) -> bool {
        matches!(self, Status::Ready(_))
    }
}

/// Returns early with `Ok(Status::Pending)` unless a step result is ready.
///
/// The decoder-side twin of `std::task::ready!`: a step that composes other steps writes
/// `let out = ready!(inner.resume(input)?);`.
///
/// ```
/// use nagrel_decoder::{ready, DecodeError, Input, Status, Step};
///
/// /// Two bytes, returned swapped: a hand-written step built on another step.
/// struct Swapped(nagrel_decoder::ReadBytes);
///
/// impl Step for Swapped {
///     type Output = [u8; 2];
///     fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<[u8; 2]>, DecodeError> {
///         let b = ready!(self.0.resume(input)?);
///         Ok(Status::Ready([b[1], b[0]]))
///     }
/// }
/// # let _ = Swapped(nagrel_decoder::read_bytes(2));
/// ```
#[macro_export]
macro_rules! ready {
    ($e:expr) => {
        match $e {
            $crate::Status::Ready(v) => v,
            $crate::Status::Pending => return ::core::result::Result::Ok($crate::Status::Pending),
        }
    };
}

/// One resumable piece of a decoder.
///
/// A step is a small state machine: [`resume`](Step::resume) looks at the front of the
/// input, consumes what it has finished with, remembers how far it got, and returns
/// [`Status::Pending`] until it can produce its output. Steps are plain values; chaining
/// them with [`StepExt`] builds a bigger state machine whose type is the whole chain, so
/// the compiler inlines it like a hand-written enum.
///
/// Once a step has returned [`Status::Ready`] it is spent and must not be resumed again.
/// Steps holding a value or a closure they gave away ([`then`](StepExt::then),
/// [`map`](StepExt::map), [`try_map`](StepExt::try_map), [`done`](crate::done),
/// [`peek`](crate::peek), [`fold`](crate::fold)) report a second resume as
/// [`ErrorKind::Finished`] rather than panicking; the others simply read again. The [`Driver`](crate::Driver) builds a fresh step for every message, so it never
/// resumes a spent one.
pub trait Step {
    /// What the step produces.
    type Output;

    /// Makes as much progress as the visible input allows.
    ///
    /// On `Pending` the step has consumed only bytes it will never need again and stored
    /// whatever it learned about the rest (such as how far it scanned). On an error the step
    /// is poisoned; the caller decides whether to recover.
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<Self::Output>, DecodeError>;
}

impl<S: Step + ?Sized> Step for &mut S {
    type Output = S::Output;
    #[inline]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<S::Output>, DecodeError> {
        (**self).resume(input)
    }
}

impl<S: Step + ?Sized> Step for Box<S> {
    type Output = S::Output;
    #[inline]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<S::Output>, DecodeError> {
        (**self).resume(input)
    }
}

/// Combinators for every [`Step`].
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{read_bytes, read_line, Driver, ErrorKind, StepExt};
///
/// // "a decimal length line, then that many bytes"
/// let blob = || {
///     read_line()
///         .try_map(|line| {
///             std::str::from_utf8(&line)
///                 .ok()
///                 .and_then(|s| s.parse::<u64>().ok())
///                 .ok_or(ErrorKind::Invalid("length is not a decimal number"))
///         })
///         .then(read_bytes)
/// };
/// let mut driver = Driver::new(blob);
/// let mut buf = BytesMut::from(&b"5\nhello3\nabc"[..]);
/// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"hello");
/// assert_eq!(&driver.decode(&mut buf).unwrap().unwrap()[..], b"abc");
/// ```
pub trait StepExt: Step + Sized {
    /// Runs `self`, hands its output to `f`, and runs the step `f` returns: the
    /// continuation that makes a decoder read like its grammar.
    #[inline]
    fn then<B, F>(self, f: F) -> Then<Self, F, B>
    where
        F: FnOnce(Self::Output) -> B,
        B: Step,
    {
        Then::new(self, f)
    }

    /// Transforms the output.
    #[inline]
    fn map<U, F>(self, f: F) -> Map<Self, F>
    where
        F: FnOnce(Self::Output) -> U,
    {
        Map::new(self, f)
    }

    /// Validates or converts the output; an `Err(kind)` becomes a [`DecodeError`] at the
    /// offset where this step started reading.
    #[inline]
    fn try_map<U, F>(self, f: F) -> TryMap<Self, F>
    where
        F: FnOnce(Self::Output) -> Result<U, ErrorKind>,
    {
        TryMap::new(self, f)
    }

    /// Runs `self` then `next`, producing both outputs.
    #[inline]
    fn and<B: Step>(self, next: B) -> AndThen<Self, B> {
        AndThen::new(self, next)
    }

    /// Runs `self` then `next`, keeping only `self`'s output.
    #[inline]
    fn then_ignore<B: Step>(self, next: B) -> ThenIgnore<Self, B> {
        ThenIgnore::new(self, next)
    }

    /// Runs `self` then `next`, keeping only `next`'s output.
    #[inline]
    fn ignore_then<B: Step>(self, next: B) -> IgnoreThen<Self, B> {
        IgnoreThen::new(self, next)
    }

    /// Caps how many bytes this step may consume in total; asking for more fails with
    /// [`ErrorKind::LimitExceeded`] named `"limit"`.
    ///
    /// Inside the cap the window's end counts as end of input, so
    /// [`read_to_end`](crate::read_to_end) reads exactly the capped region.
    #[inline]
    fn limit(self, max: usize) -> Limit<Self> {
        Limit::new(self, max)
    }

    /// Erases the step's type behind a box: for recursive grammars, or branches that
    /// would otherwise need different types. Costs one allocation and dynamic calls.
    #[inline]
    fn boxed<'a>(self) -> BoxedStep<'a, Self::Output>
    where
        Self: Send + 'a,
    {
        Box::new(self)
    }
}

impl<S: Step> StepExt for S {}
