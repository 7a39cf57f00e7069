use crate::error::{DecodeError, ErrorKind};
use crate::input::Input;
use crate::ready;
use crate::step::{Status, Step};

/// Runs a step, then the step its continuation builds from the output
/// ([`StepExt::then`](crate::StepExt::then)).
#[derive(Debug)]
pub struct Then<A, F, B> {
    state: ThenState<A, F, B>,
}

#[derive(Debug)]
enum ThenState<A, F, B> {
    First(A, Option<F>),
    Second(B),
}

impl<A, F, B> Then<A, F, B> {
    pub(crate) fn new(first: A, f: F) -> Self {
        Then {
            state: ThenState::First(first, Some(f)),
        }
    }
}

impl<A, F, B> Step for Then<A, F, B>
where
    A: Step,
    F: FnOnce(A::Output) -> B,
    B: Step,
{
    type Output = B::Output;

    #[inline(always)]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<B::Output>, DecodeError> {
        if let ThenState::First(first, f) = &mut self.state {
            let out = ready!(first.resume(input)?);
            let f = f
                .take()
                .ok_or_else(|| input.error_at(0, ErrorKind::Finished))?;
            self.state = ThenState::Second(f(out));
        }
        match &mut self.state {
            ThenState::Second(second) => second.resume(input),
            ThenState::First(..) => Err(input.error_at(0, ErrorKind::Finished)),
        }
    }
}
