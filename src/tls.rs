//! Thread-locals that are cheap in wasm.
//!
//! `std::thread_local!` reaches a variable through `LocalKey::with`, which calls the key's
//! accessor through a function pointer. Natively that is inlined away; in the wasm build,
//! optimized for size, it is not: every access was a call to `LocalKey::with` and, inside it, a
//! `call_indirect` to the accessor. The scheduler touches thread-locals several times per
//! goroutine poll, and the counting allocator on every allocation and free. A `#[thread_local]`
//! static is a load at a fixed offset from `__tls_base` instead. Measured in Chromium on one
//! runner (CPU time of the runner's thread, 6 runs each, load 8–9): spawn and join 434 → 375 ns,
//! ping-pong 498 → 461 ns, dispatch 83 → 82 ns; the module shrank by 1.3 KB gzipped. Natively
//! (and under Miri and loom) this stays `thread_local!`.

/// Declares thread-locals with a `with` (and `try_with`) like `LocalKey`'s, as `#[thread_local]`
/// statics in wasm. For values whose destructor need not run when a thread exits (in wasm it
/// never does): `Cell`s, and a `RefCell` that a guard always empties.
macro_rules! fast_thread_local {
    ($($(#[$attr:meta])* static $name:ident: $t:ty = $init:expr;)+) => {
        $(
            #[cfg(target_arch = "wasm32")]
            $(#[$attr])*
            #[thread_local]
            static $name: $crate::tls::Local<$t> = $crate::tls::Local::new($init);
            #[cfg(not(target_arch = "wasm32"))]
            ::std::thread_local! {
                $(#[$attr])*
                static $name: $t = const { $init };
            }
        )+
    };
}
pub(crate) use fast_thread_local;

/// A `#[thread_local]` value with `LocalKey`'s access methods.
#[cfg(target_arch = "wasm32")]
pub(crate) struct Local<T>(T);

#[cfg(target_arch = "wasm32")]
impl<T> Local<T> {
    pub(crate) const fn new(value: T) -> Local<T> {
        Local(value)
    }

    /// `LocalKey::with`.
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }

    /// `LocalKey::try_with`: never fails, as the value is never destroyed.
    #[inline(always)]
    pub(crate) fn try_with<R>(
        &self,
        f: impl FnOnce(&T) -> R,
    ) -> Result<R, std::convert::Infallible> {
        Ok(f(&self.0))
    }
}
