use crate::error::DecodeError;
use crate::input::Input;
use crate::step::{Status, Step};

/// Caps the bytes a step may consume ([`StepExt::limit`](crate::StepExt::limit)).
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{read_line, read_to_end, Driver, ErrorKind, StepExt};
///
/// // A 6-byte record holding a line and then whatever is left of the record.
/// let mut driver = Driver::new(|| read_line().and(read_to_end()).limit(6));
/// let mut buf = BytesMut::from(&b"ab\ncdeNEXT"[..]);
/// let (line, rest) = driver.decode(&mut buf).unwrap().unwrap();
/// assert_eq!((&line[..], &rest[..]), (&b"ab"[..], &b"cde"[..]));
///
/// // A line that does not end inside its 4-byte cap is rejected where the cap ends.
/// let mut driver = Driver::new(|| read_line().limit(4));
/// let err = driver.decode(&mut BytesMut::from(&b"abcdef\n"[..])).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::LimitExceeded { limit: "limit", max: 4 });
/// assert_eq!(err.offset(), 4);
/// ```
#[derive(Debug)]
pub struct Limit<S> {
    inner: S,
    max: usize,
    start: Option<u64>,
}

impl<S> Limit<S> {
    pub(crate) fn new(inner: S, max: usize) -> Self {
        Limit {
            inner,
            max,
            start: None,
        }
    }
}

impl<S: Step> Step for Limit<S> {
    type Output = S::Output;

    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<S::Output>, DecodeError> {
        let start = *self.start.get_or_insert(input.offset());
        // Offsets wrap like `Input`'s own arithmetic, so a stream starting near u64::MAX
        // still counts its bytes right.
        let used = input.offset().wrapping_sub(start);
        let remaining = usize::try_from((self.max as u64).saturating_sub(used)).unwrap_or(0);
        let mut view = input.narrow(remaining, self.max);
        let result = self.inner.resume(&mut view);
        // A step still pending with its whole window in front of it wants more than the cap
        // allows, whatever the step itself thought.
        let over_cap = match result {
            Ok(Status::Pending) if view.window_full() => Some(view.out_of_input()),
            _ => None,
        };
        let offset = view.offset();
        drop(view);
        input.sync(offset);
        match over_cap {
            Some(err) => Err(err),
            None => result,
        }
    }
}
