use core::ops::ControlFlow;

use crate::error::{DecodeError, ErrorKind};
use crate::input::Input;
use crate::ready;
use crate::step::{Status, Step};

/// Default cap on loop iterations for [`repeat`] and [`fold`].
pub const DEFAULT_MAX_ITERATIONS: usize = 65_536;

/// Runs a fresh step from `make` exactly `n` times and collects the outputs.
///
/// `n` usually comes from the input, so it is checked against a cap (default
/// [`DEFAULT_MAX_ITERATIONS`], change it with [`Repeat::max_iterations`]) before anything
/// is allocated; the vector grows as items arrive rather than being reserved up front.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{read_u16_be, read_u8, repeat, Driver, StepExt};
///
/// // A count byte, then that many big-endian u16 values.
/// let mut driver = Driver::new(|| read_u8().then(|n| repeat(n as usize, read_u16_be)));
/// let mut buf = BytesMut::from(&[2u8, 0, 1, 1, 0][..]);
/// assert_eq!(driver.decode(&mut buf).unwrap(), Some(vec![1, 256]));
/// ```
pub fn repeat<F, S>(n: usize, make: F) -> Repeat<F, S>
where
    F: FnMut() -> S,
    S: Step,
{
    Repeat {
        make,
        n,
        max: DEFAULT_MAX_ITERATIONS,
        items: Vec::new(),
        current: None,
    }
}

/// See [`repeat`].
#[derive(Debug)]
pub struct Repeat<F, S: Step> {
    make: F,
    n: usize,
    max: usize,
    items: Vec<S::Output>,
    current: Option<S>,
}

impl<F, S: Step> Repeat<F, S> {
    /// Sets the largest `n` accepted.
    pub fn max_iterations(mut self, max: usize) -> Self {
        self.max = max;
        self
    }
}

impl<F, S> Step for Repeat<F, S>
where
    F: FnMut() -> S,
    S: Step,
{
    type Output = Vec<S::Output>;

    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<Self::Output>, DecodeError> {
        if self.n > self.max {
            let limit = ErrorKind::LimitExceeded {
                limit: "repeat",
                max: self.max,
            };
            return Err(input.error_at(0, limit));
        }
        while self.items.len() < self.n {
            let step = self.current.get_or_insert_with(&mut self.make);
            let item = ready!(step.resume(input)?);
            self.current = None;
            self.items.push(item);
        }
        Ok(Status::Ready(core::mem::take(&mut self.items)))
    }
}

/// Runs fresh steps from `make` and folds their outputs into an accumulator until `f`
/// says [`ControlFlow::Break`]: "read header lines until an empty one" without boxing.
///
/// `make` sees the accumulator, so the next step may depend on what came before. The number
/// of iterations is capped (default [`DEFAULT_MAX_ITERATIONS`], see
/// [`Fold::max_iterations`]).
///
/// ```
/// use core::ops::ControlFlow;
/// use bytes::BytesMut;
/// use nagrel_decoder::{fold, read_line, Driver};
///
/// // Lines up to an empty one, like a header block.
/// let mut driver = Driver::new(|| {
///     fold(Vec::new(), |_| read_line(), |mut lines, line| {
///         if line.is_empty() {
///             ControlFlow::Break(lines)
///         } else {
///             lines.push(line);
///             ControlFlow::Continue(lines)
///         }
///     })
/// });
/// let mut buf = BytesMut::from(&b"a: 1\r\nb: 2\r\n\r\n"[..]);
/// let lines = driver.decode(&mut buf).unwrap().unwrap();
/// assert_eq!(lines, vec![&b"a: 1"[..], &b"b: 2"[..]]);
/// ```
pub fn fold<A, M, S, F, O>(init: A, make: M, f: F) -> Fold<A, M, S, F>
where
    M: FnMut(&A) -> S,
    S: Step,
    F: FnMut(A, S::Output) -> ControlFlow<O, A>,
{
    Fold {
        acc: Some(init),
        make,
        f,
        current: None,
        count: 0,
        max: DEFAULT_MAX_ITERATIONS,
    }
}

/// See [`fold`].
#[derive(Debug)]
pub struct Fold<A, M, S, F> {
    acc: Option<A>,
    make: M,
    f: F,
    current: Option<S>,
    count: usize,
    max: usize,
}

impl<A, M, S, F> Fold<A, M, S, F> {
    /// Sets the largest number of iterations accepted.
    pub fn max_iterations(mut self, max: usize) -> Self {
        self.max = max;
        self
    }
}

impl<A, M, S, F, O> Step for Fold<A, M, S, F>
where
    M: FnMut(&A) -> S,
    S: Step,
    F: FnMut(A, S::Output) -> ControlFlow<O, A>,
{
    type Output = O;

    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<O>, DecodeError> {
        loop {
            let acc = self
                .acc
                .as_ref()
                .ok_or_else(|| input.error_at(0, ErrorKind::Finished))?;
            if self.current.is_none() {
                if self.count == self.max {
                    let limit = ErrorKind::LimitExceeded {
                        limit: "fold",
                        max: self.max,
                    };
                    return Err(input.error_at(0, limit));
                }
                self.count += 1;
                self.current = Some((self.make)(acc));
            }
            let Some(step) = self.current.as_mut() else {
                continue;
            };
            let item = ready!(step.resume(input)?);
            self.current = None;
            let acc = self
                .acc
                .take()
                .ok_or_else(|| input.error_at(0, ErrorKind::Finished))?;
            match (self.f)(acc, item) {
                ControlFlow::Continue(acc) => self.acc = Some(acc),
                ControlFlow::Break(out) => return Ok(Status::Ready(out)),
            }
        }
    }
}
