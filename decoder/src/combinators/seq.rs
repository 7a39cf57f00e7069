use crate::error::{DecodeError, ErrorKind};
use crate::input::Input;
use crate::ready;
use crate::step::{Status, Step};

/// Runs two steps in order and yields both outputs ([`StepExt::and`](crate::StepExt::and)).
#[derive(Debug)]
pub struct AndThen<A: Step, B> {
    first: A,
    second: B,
    first_out: Option<A::Output>,
}

impl<A: Step, B> AndThen<A, B> {
    pub(crate) fn new(first: A, second: B) -> Self {
        AndThen {
            first,
            second,
            first_out: None,
        }
    }
}

impl<A: Step, B: Step> Step for AndThen<A, B> {
    type Output = (A::Output, B::Output);

    #[inline(always)]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<Self::Output>, DecodeError> {
        if self.first_out.is_none() {
            self.first_out = Some(ready!(self.first.resume(input)?));
        }
        let b = ready!(self.second.resume(input)?);
        let a = self
            .first_out
            .take()
            .ok_or_else(|| input.error_at(0, ErrorKind::Finished))?;
        Ok(Status::Ready((a, b)))
    }
}

/// Runs two steps in order and keeps the first output
/// ([`StepExt::then_ignore`](crate::StepExt::then_ignore)).
pub struct ThenIgnore<A: Step, B>(AndThen<A, B>);

impl<A: Step, B> ThenIgnore<A, B> {
    pub(crate) fn new(first: A, second: B) -> Self {
        ThenIgnore(AndThen::new(first, second))
    }
}

impl<A: Step, B: Step> Step for ThenIgnore<A, B> {
    type Output = A::Output;

    #[inline(always)]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<A::Output>, DecodeError> {
        Ok(self.0.resume(input)?.map(|(a, _)| a))
    }
}

/// Runs two steps in order and keeps the second output
/// ([`StepExt::ignore_then`](crate::StepExt::ignore_then)).
#[derive(Debug)]
pub struct IgnoreThen<A, B> {
    first: A,
    second: B,
    first_done: bool,
}

impl<A, B> IgnoreThen<A, B> {
    pub(crate) fn new(first: A, second: B) -> Self {
        IgnoreThen {
            first,
            second,
            first_done: false,
        }
    }
}

impl<A: Step, B: Step> Step for IgnoreThen<A, B> {
    type Output = B::Output;

    #[inline(always)]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<B::Output>, DecodeError> {
        if !self.first_done {
            ready!(self.first.resume(input)?);
            self.first_done = true;
        }
        self.second.resume(input)
    }
}
