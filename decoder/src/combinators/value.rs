use core::marker::PhantomData;

use crate::error::{DecodeError, ErrorKind};
use crate::input::Input;
use crate::step::{Status, Step};

/// A step that consumes nothing and yields `value`: the end of a branch that already has
/// everything it needs.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{done, read_u8, Driver, Either, StepExt};
///
/// // A tag byte; tag 0 means "no payload", anything else is followed by one more byte.
/// let mut driver = Driver::new(|| {
///     read_u8().then(|tag| match tag {
///         0 => Either::Left(done(None)),
///         _ => Either::Right(read_u8().map(Some)),
///     })
/// });
/// let mut buf = BytesMut::from(&[0u8, 1, 42][..]);
/// assert_eq!(driver.decode(&mut buf).unwrap(), Some(None));
/// assert_eq!(driver.decode(&mut buf).unwrap(), Some(Some(42)));
/// ```
pub fn done<T>(value: T) -> Done<T> {
    Done(Some(value))
}

/// See [`done`].
#[derive(Debug, Clone)]
pub struct Done<T>(Option<T>);

impl<T> Step for Done<T> {
    type Output = T;

    #[inline]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<T>, DecodeError> {
        match self.0.take() {
            Some(v) => Ok(Status::Ready(v)),
            None => Err(input.error_at(0, ErrorKind::Finished)),
        }
    }
}

/// A step that fails with `kind` at the current offset, typed to fit any branch.
///
/// ```
/// use bytes::BytesMut;
/// use nagrel_decoder::{fail, read_u8, Driver, Either, ErrorKind, StepExt};
///
/// let mut driver = Driver::new(|| {
///     read_u8().then(|version| match version {
///         1 => Either::Left(read_u8()),
///         _ => Either::Right(fail(ErrorKind::Invalid("unsupported version"))),
///     })
/// });
/// let mut buf = BytesMut::from(&[2u8, 0][..]);
/// let err = driver.decode(&mut buf).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Invalid("unsupported version"));
/// assert_eq!(err.offset(), 1);
/// ```
pub fn fail<T>(kind: ErrorKind) -> Fail<T> {
    Fail(kind, PhantomData)
}

/// See [`fail`].
#[derive(Debug)]
pub struct Fail<T>(ErrorKind, PhantomData<fn() -> T>);

impl<T> Step for Fail<T> {
    type Output = T;

    #[inline]
    fn resume(&mut self, input: &mut Input<'_>) -> Result<Status<T>, DecodeError> {
        Err(input.error_at(0, self.0))
    }
}
