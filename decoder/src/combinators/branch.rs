use crate::error::DecodeError;
use crate::input::Input;
use crate::step::{Status, Step};

/// One of two steps with the same output: how a continuation picks a branch without
/// boxing. See [`done`](crate::done) for an example.
#[derive(Debug, Clone)]
pub enum Either<L, R> {
    /// The first alternative.
    Left(L),
    /// The second alternative.
    Right(R),
}

impl<L, R> Step for Either<L, R>
where
    L: Step,
    R: Step<Output = L::Output>,
{
    type Output = L::Output;

    #[inline]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<L::Output>, DecodeError> {
        match self {
            Either::Left(l) => l.resume(input),
            Either::Right(r) => r.resume(input),
        }
    }
}
