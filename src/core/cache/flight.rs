//! One in-flight load that many callers await: the first caller starts the work, everyone
//! else waits on the same [`Flight`] and receives a clone of its single result. This is how
//! concurrent identical requests share one network call, and how an error reaches them all.
//! Single-threaded by design (`Rc`/`RefCell`), like the page it runs in.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A result that will be set once and read by any number of waiters.
///
/// ```
/// use apiscope::core::cache::flight::Flight;
/// let flight = Flight::new();
/// let waiter = flight.wait();
/// flight.complete(42);
/// assert_eq!(flight.result(), Some(42));
/// # drop(waiter);
/// ```
#[derive(Debug)]
pub struct Flight<T> {
    state: Rc<RefCell<State<T>>>,
}

#[derive(Debug)]
enum State<T> {
    Pending(Vec<Waker>),
    Done(T),
}

/// The future [`Flight::wait`] returns.
#[derive(Debug)]
pub struct Wait<T> {
    state: Rc<RefCell<State<T>>>,
}

impl<T: Clone> Flight<T> {
    /// A flight not yet landed.
    pub fn new() -> Self {
        Self {
            state: Rc::new(RefCell::new(State::Pending(Vec::new()))),
        }
    }

    /// A future resolving to a clone of the result.
    pub fn wait(&self) -> Wait<T> {
        Wait {
            state: Rc::clone(&self.state),
        }
    }

    /// Sets the result and wakes every waiter; later calls are ignored (the first answer wins).
    ///
    /// ```
    /// use apiscope::core::cache::flight::Flight;
    /// let flight = Flight::new();
    /// flight.complete("first");
    /// flight.complete("second");
    /// assert_eq!(flight.result(), Some("first"));
    /// ```
    pub fn complete(&self, value: T) {
        let previous = {
            let mut state = self.state.borrow_mut();
            match &mut *state {
                State::Pending(wakers) => {
                    let wakers = std::mem::take(wakers);
                    *state = State::Done(value);
                    wakers
                }
                State::Done(_) => Vec::new(),
            }
        };
        // Woken outside the borrow: a waker may poll a waiter at once.
        previous.into_iter().for_each(Waker::wake);
    }

    /// The result, if landed.
    ///
    /// ```
    /// use apiscope::core::cache::flight::Flight;
    /// assert_eq!(Flight::<u8>::new().result(), None);
    /// ```
    pub fn result(&self) -> Option<T> {
        match &*self.state.borrow() {
            State::Done(value) => Some(value.clone()),
            State::Pending(_) => None,
        }
    }
}

/// Another handle on the same flight.
impl<T> Clone for Flight<T> {
    fn clone(&self) -> Self {
        Self {
            state: Rc::clone(&self.state),
        }
    }
}

impl<T: Clone> Default for Flight<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Clone> Future for Wait<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match &mut *self.state.borrow_mut() {
            State::Done(value) => Poll::Ready(value.clone()),
            State::Pending(wakers) => {
                if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
                    wakers.push(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn every_waiter_is_woken_and_gets_the_result() {
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&counter));
        let mut cx = Context::from_waker(&waker);
        let flight = Flight::new();
        let mut waiters = [flight.wait(), flight.wait()];
        for w in &mut waiters {
            assert!(Pin::new(w).poll(&mut cx).is_pending());
        }
        flight.complete(Err::<u8, &str>("network down"));
        assert_eq!(
            counter.0.load(Ordering::SeqCst),
            1,
            "one waker, registered once"
        );
        for w in &mut waiters {
            assert_eq!(Pin::new(w).poll(&mut cx), Poll::Ready(Err("network down")));
        }
    }
}
