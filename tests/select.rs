//! Go's `select` semantics, from Go's own tests (the bodies in `tests/common/select.rs` name
//! the file of github.com/golang/go each follows; the browser runs them too):
//! <https://github.com/golang/go/tree/master/test/chan> and
//! <https://github.com/golang/go/blob/master/src/runtime/chan_test.go>.

mod common;

macro_rules! native {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            common::select::$name();
        }
    )*};
}

select_bodies!(native);
