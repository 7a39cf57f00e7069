//! Steps built from other steps. Each is a small generic type, so a chain of them is one
//! nested state machine the compiler can inline.

mod branch;
mod limit;
mod map;
mod repeat;
mod seq;
mod then;
mod value;

pub use branch::Either;
pub use limit::Limit;
pub use map::{Map, TryMap};
pub use repeat::{fold, repeat, Fold, Repeat, DEFAULT_MAX_ITERATIONS};
pub use seq::{AndThen, IgnoreThen, ThenIgnore};
pub use then::Then;
pub use value::{done, fail, Done, Fail};

use crate::step::Step;

/// A step behind a box, for recursion or branches of different types
/// ([`StepExt::boxed`](crate::StepExt::boxed)).
pub type BoxedStep<'a, T> = Box<dyn Step<Output = T> + Send + 'a>;
