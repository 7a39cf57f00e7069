use crate::error::{DecodeError, ErrorKind};
use crate::input::Input;
use crate::ready;
use crate::step::{Status, Step};

/// Transforms a step's output ([`StepExt::map`](crate::StepExt::map)).
#[derive(Debug)]
pub struct Map<S, F> {
    inner: S,
    f: Option<F>,
}

impl<S, F> Map<S, F> {
    pub(crate) fn new(inner: S, f: F) -> Self {
        Map { inner, f: Some(f) }
    }
}

impl<S, F, U> Step for Map<S, F>
where
    S: Step,
    F: FnOnce(S::Output) -> U,
{
    type Output = U;

    #[inline(always)]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<U>, DecodeError> {
        let out = ready!(self.inner.resume(input)?);
        let f = self
            .f
            .take()
            .ok_or_else(|| input.error_at(0, ErrorKind::Finished))?;
        Ok(Status::Ready(f(out)))
    }
}

/// Validates or converts a step's output ([`StepExt::try_map`](crate::StepExt::try_map)).
///
/// A rejection is reported at the offset where the inner step started, which is where the
/// offending value begins.
#[derive(Debug)]
pub struct TryMap<S, F> {
    inner: S,
    f: Option<F>,
    start: Option<u64>,
}

impl<S, F> TryMap<S, F> {
    pub(crate) fn new(inner: S, f: F) -> Self {
        TryMap {
            inner,
            f: Some(f),
            start: None,
        }
    }
}

impl<S, F, U> Step for TryMap<S, F>
where
    S: Step,
    F: FnOnce(S::Output) -> Result<U, ErrorKind>,
{
    type Output = U;

    #[inline(always)]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<U>, DecodeError> {
        let start = *self.start.get_or_insert(input.offset());
        let out = ready!(self.inner.resume(input)?);
        let f = self
            .f
            .take()
            .ok_or_else(|| input.error_at(0, ErrorKind::Finished))?;
        f(out)
            .map(Status::Ready)
            .map_err(|kind| DecodeError::new(kind, start))
    }
}
