//! Go's own `select` tests, rewritten for this crate (natively in `tests/select.rs`, in the
//! browser in `tests/web.rs`). Each names the file of github.com/golang/go it follows. Go's nil
//! channels (a case that can never fire) become cases left out of the `Select`.

use std::{
    sync::{
        atomic::{AtomicI64, AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use worker_pool_playground::{
    chan::{Chan, Select},
    runtime::{go, go_named, yield_now, FindingKind, Runtime},
    sync::WaitGroup,
    time,
};

use super::{runtime, runtime_scaled};

/// A panic inside a goroutine is recorded, not raised: every test checks there was none.
fn no_panics(rt: &Runtime) {
    let panics: Vec<_> = rt
        .findings()
        .into_iter()
        .filter(|f| f.kind == FindingKind::Panic)
        .map(|f| f.message)
        .collect();
    assert!(panics.is_empty(), "goroutines panicked: {panics:?}");
}

/// Every body, once (`$m!(name, …)`).
#[macro_export]
macro_rules! select_bodies {
    ($m:ident) => {
        $m!(
            go_select_sends_until_default,
            go_select3_closed_channels_never_block,
            go_select4_ready_value_is_taken,
            go_select6_no_double_wake,
            go_select7_discarding_a_value,
            go_self_select,
            go_select_duplicate_channel,
            go_select_fairness,
            go_select_stress,
            go_powser1,
        );
    };
}

/// test/chan/select.go: a select with a default arm sends on each ready channel once, the
/// channel then leaving the select (Go sets it to nil).
pub fn go_select_sends_until_default() {
    let rt = runtime(1);
    rt.block_on(async {
        let counter = Arc::new(AtomicU64::new(0));
        let get_value = |shift: u32| {
            counter.fetch_add(1, Ordering::SeqCst);
            1u64 << shift
        };
        // Sends on a and b (each buffered 1) until neither can take more.
        let send = |a: Option<Chan<u64>>, b: Option<Chan<u64>>| {
            let (mut a, mut b) = (a, b);
            let mut i = 0;
            let mut shift = 0;
            loop {
                let mut sel = Select::new();
                // Go evaluates every send expression, nil channel or not.
                let (va, vb) = (get_value(shift), get_value(shift));
                let ca = a.as_ref().map(|c| sel.send(c, va));
                let cb = b.as_ref().map(|c| sel.send(c, vb));
                match sel.try_select() {
                    Some(k) if Some(k) == ca.map(|c| c.index()) => {
                        i += 1;
                        a = None;
                    }
                    Some(k) if Some(k) == cb.map(|c| c.index()) => {
                        i += 1;
                        b = None;
                    }
                    Some(k) => panic!("case {k}?"),
                    None => break,
                }
                shift += 1;
            }
            i
        };
        let a: Chan<u64> = Chan::new(1);
        let b: Chan<u64> = Chan::new(1);
        assert_eq!(send(Some(a.clone()), Some(b.clone())), 2, "send(a, b)");
        let v = a.recv().await.unwrap() | b.recv().await.unwrap();
        assert_eq!(v, 1 | 2, "bad values");
        assert_eq!(send(Some(a.clone()), None), 1, "send(a, nil)");
        assert_eq!(counter.load(Ordering::SeqCst), 10, "counter");
        assert_eq!(send(None, Some(b.clone())), 1, "send(nil, b)");
        assert_eq!(send(None, None), 0, "send(nil, nil)");
    })
    .unwrap();
    no_panics(&rt);
}

/// test/chan/select3.go: a closed channel never blocks a select, receive or send (the send
/// completes with Go's panic, here the error), and a select with a ready case never waits.
pub fn go_select3_closed_channels_never_block() {
    let rt = runtime(1);
    rt.block_on(async {
        let closed: Chan<i32> = Chan::new(0);
        closed.close().unwrap();
        let never: Chan<i32> = Chan::new(0);
        // A receive from a closed channel is ready.
        let mut sel = Select::new();
        let c = sel.recv(&closed);
        sel.recv(&never);
        assert_eq!(sel.try_select(), Some(c.index()));
        assert_eq!(sel.recv_value(c), None);
        // A send on a closed channel is ready, and fails.
        let mut sel = Select::new();
        let s = sel.send(&closed, 7);
        sel.recv(&never);
        assert_eq!(sel.wait().await, s.index());
        let e = sel.send_result(s).unwrap_err();
        assert_eq!(e.to_string(), "send on closed channel");
        assert_eq!(e.into_inner(), 7);
        // A buffered channel with room: the send case is ready at once.
        let buffered: Chan<i32> = Chan::new(1);
        let mut sel = Select::new();
        let s = sel.send(&buffered, 1);
        sel.recv(&never);
        assert_eq!(sel.try_select(), Some(s.index()));
        assert_eq!(buffered.recv().await, Some(1));
    })
    .unwrap();
    no_panics(&rt);
}

/// test/chan/select4.go: a select proceeds when a value is ready, taking it from the ready
/// channel (and never touching the other case).
pub fn go_select4_ready_value_is_taken() {
    let rt = runtime(1);
    rt.block_on(async {
        let c: Chan<i32> = Chan::new(1);
        let c1: Chan<i32> = Chan::new(0);
        c.send(42).await.unwrap();
        let mut sel = Select::new();
        let never = sel.recv(&c1);
        let ready = sel.recv(&c);
        assert_eq!(sel.wait().await, ready.index());
        assert_eq!(sel.recv_value(ready), Some(42));
        assert_eq!(sel.recv_value(never), None);
    })
    .unwrap();
    no_panics(&rt);
}

/// test/chan/select6.go (Go issue 2075): a goroutine parked in a select on c1 and c2 is woken
/// by c2 once, and its stale entry on c1 never swallows a later send to c1.
pub fn go_select6_no_double_wake() {
    let rt = runtime(2);
    rt.block_on(async {
        let c1: Chan<bool> = Chan::new(0);
        let c2: Chan<bool> = Chan::new(0);
        let c3: Chan<bool> = Chan::new(0);
        let x = c1.clone();
        go(async move {
            x.recv().await;
        });
        let (x1, x2, x3) = (c1.clone(), c2.clone(), c3.clone());
        go(async move {
            let mut sel = Select::new();
            let a = sel.recv(&x1);
            sel.recv(&x2);
            if sel.wait().await == a.index() {
                panic!("dummy");
            }
            x3.send(true).await.unwrap();
            x1.recv().await;
        });
        let y = c2.clone();
        go(async move {
            y.send(true).await.unwrap();
        });
        c3.recv().await;
        c1.send(true).await.unwrap();
        c1.send(true).await.unwrap();
    })
    .unwrap();
    no_panics(&rt);
}

/// test/chan/select7.go: every pairing of a plain, a one-case and a two-case receive with a
/// plain, a one-case and a two-case send delivers.
pub fn go_select7_discarding_a_value() {
    let rt = runtime(2);
    rt.block_on(async {
        for recv in 0..3 {
            for send in 0..3 {
                let c: Chan<i32> = Chan::new(0);
                let r = c.clone();
                go(async move {
                    match recv {
                        0 => {
                            r.recv().await;
                        }
                        1 => {
                            let mut sel = Select::new();
                            sel.recv(&r);
                            sel.wait().await;
                        }
                        _ => {
                            let c2: Chan<i32> = Chan::new(0);
                            let mut sel = Select::new();
                            sel.recv(&r);
                            sel.recv(&c2);
                            sel.wait().await;
                        }
                    }
                });
                yield_now().await;
                match send {
                    0 => c.send(1).await.unwrap(),
                    1 => {
                        let mut sel = Select::new();
                        let s = sel.send(&c, 1);
                        sel.wait().await;
                        sel.send_result(s).unwrap();
                    }
                    _ => {
                        let c2: Chan<i32> = Chan::new(0);
                        let mut sel = Select::new();
                        let s = sel.send(&c, 1);
                        sel.send(&c2, 1);
                        assert_eq!(sel.wait().await, s.index());
                    }
                }
            }
        }
    })
    .unwrap();
    no_panics(&rt);
}

/// runtime/chan_test.go TestSelfSelect: a send and a receive on the same channel in one select,
/// by two goroutines at once, neither crashes nor deadlocks, and on an unbuffered channel a
/// goroutine never receives its own value.
pub fn go_self_select() {
    let rt = runtime(2);
    rt.block_on(async {
        for cap in [0usize, 10] {
            let wg = WaitGroup::new();
            let c: Chan<i32> = Chan::new(cap);
            for p in 0..2 {
                wg.add(1).unwrap();
                let (wg, c) = (wg.clone(), c.clone());
                go(async move {
                    let _d = wg.defer_done();
                    // Miri interprets every instruction: 50 selects each there.
                    for i in 0..if cfg!(miri) { 50 } else { 1000 } {
                        let mut sel = Select::new();
                        // Both orders of the cases, as Go's test writes them.
                        let (s, r) = if p == 0 || i % 2 == 0 {
                            let s = sel.send(&c, p);
                            (s, sel.recv(&c))
                        } else {
                            let r = sel.recv(&c);
                            (sel.send(&c, p), r)
                        };
                        if sel.wait().await == r.index() {
                            let v = sel.recv_value(r);
                            assert!(!(cap == 0 && v == Some(p)), "self receive");
                        } else {
                            sel.send_result(s).unwrap();
                        }
                    }
                });
            }
            wg.wait().await;
        }
    })
    .unwrap();
    no_panics(&rt);
}

/// runtime/chan_test.go TestSelectDuplicateChannel: a goroutine may be queued on one channel
/// twice; leaving it (woken by another channel) must not corrupt the channel's queue for the
/// goroutine queued behind it.
pub fn go_select_duplicate_channel() {
    let rt = runtime(2);
    rt.block_on(async {
        let c: Chan<i32> = Chan::new(0);
        let d: Chan<i32> = Chan::new(0);
        let e: Chan<i32> = Chan::new(0);
        let (ca, da, ea) = (c.clone(), d.clone(), e.clone());
        go_named("A", async move {
            let mut sel = Select::new();
            sel.recv(&ca);
            sel.recv(&ca);
            sel.recv(&da);
            sel.wait().await;
            ea.send(9).await.unwrap();
        });
        time::sleep(Duration::from_millis(1)).await; // A queues on c first
        let cb = c.clone();
        go_named("B", async move {
            cb.recv().await;
        });
        time::sleep(Duration::from_millis(1)).await; // then B
        d.send(7).await.unwrap(); // wakes A, which leaves c's queue
        e.recv().await;
        c.send(8).await.unwrap(); // must reach B
    })
    .unwrap();
    no_panics(&rt);
}

/// runtime/chan_test.go TestSelectFairness: two of four cases always ready; over 10,000
/// selects each must win about half the time (within 10 sigma, as Go's test allows).
///
/// Under Miri, 400 selects within 5 sigma (150 to 250): still a failure for a select that
/// takes the first ready case, or one that starts at a random case and takes the next ready one
/// (3 to 1 for `c1`), which 400 selects within 10 sigma would let through.
pub fn go_select_fairness() {
    const TRIALS: usize = if cfg!(miri) { 400 } else { 10_000 };
    const SIGMAS: f64 = if cfg!(miri) { 5.0 } else { 10.0 };
    let rt = runtime(2);
    let (cnt1, cnt2) = rt
        .block_on(async {
            let c1: Chan<u8> = Chan::new(TRIALS + 1);
            let c2: Chan<u8> = Chan::new(TRIALS + 1);
            for _ in 0..TRIALS + 1 {
                c1.send(1).await.unwrap();
                c2.send(2).await.unwrap();
            }
            let c3: Chan<u8> = Chan::new(0);
            let c4: Chan<u8> = Chan::new(0);
            let out: Chan<u8> = Chan::new(0);
            let done: Chan<u8> = Chan::new(0);
            let wg = WaitGroup::new();
            wg.add(1).unwrap();
            let (w, o, d) = (wg.clone(), out.clone(), done.clone());
            go(async move {
                let _d = w.defer_done();
                loop {
                    let mut sel = Select::new();
                    let cases = [sel.recv(&c3), sel.recv(&c4), sel.recv(&c1), sel.recv(&c2)];
                    let i = sel.wait().await;
                    let b = cases
                        .iter()
                        .find(|c| c.index() == i)
                        .and_then(|&c| sel.recv_value(c))
                        .unwrap();
                    let mut sel = Select::new();
                    sel.send(&o, b);
                    let stop = sel.recv(&d);
                    if sel.wait().await == stop.index() {
                        return;
                    }
                }
            });
            let (mut cnt1, mut cnt2) = (0.0, 0.0);
            for _ in 0..TRIALS {
                match out.recv().await {
                    Some(1) => cnt1 += 1.0,
                    Some(2) => cnt2 += 1.0,
                    b => panic!("unexpected value {b:?} on channel"),
                }
            }
            done.close().unwrap();
            wg.wait().await;
            (cnt1, cnt2)
        })
        .unwrap();
    no_panics(&rt);
    let mean = TRIALS as f64 * 0.5;
    let stddev = (TRIALS as f64 * 0.5 * 0.5).sqrt();
    assert!(
        (cnt1 - mean).abs() <= SIGMAS * stddev,
        "unfair select: in {TRIALS} trials, results were {cnt1}, {cnt2}"
    );
}

/// runtime/chan_test.go TestSelectStress: four channels, senders and receivers by plain
/// operations and by selects at once; every value arrives.
pub fn go_select_stress() {
    // Miri interprets every instruction: 100 values per channel there.
    const N: usize = if cfg!(miri) { 100 } else { 2_000 };
    let rt = runtime(2);
    rt.block_on(async {
        let c: Vec<Chan<i32>> = vec![Chan::new(0), Chan::new(0), Chan::new(2), Chan::new(3)];
        let wg = WaitGroup::new();
        // 4 plain senders and 4 plain receivers, one per channel.
        for chan in &c {
            wg.add(2).unwrap();
            let (ch, w) = (chan.clone(), wg.clone());
            go(async move {
                let _d = w.defer_done();
                for _ in 0..N {
                    ch.send(0).await.unwrap();
                }
            });
            let (ch, w) = (chan.clone(), wg.clone());
            go(async move {
                let _d = w.defer_done();
                for _ in 0..N {
                    ch.recv().await;
                }
            });
        }
        // A select sender and a select receiver over all four: each channel once per N.
        wg.add(2).unwrap();
        let (cs, w) = (c.clone(), wg.clone());
        go(async move {
            let _d = w.defer_done();
            let mut left = [N; 4];
            while left.iter().any(|&n| n > 0) {
                let mut sel = Select::new();
                let cases: Vec<(usize, usize)> = (0..4)
                    .filter(|&k| left[k] > 0)
                    .map(|k| (sel.send(&cs[k], 0).index(), k))
                    .collect();
                let i = sel.wait().await;
                let k = cases.iter().find(|c| c.0 == i).unwrap().1;
                left[k] -= 1;
            }
        });
        let (cs, w) = (c.clone(), wg.clone());
        go(async move {
            let _d = w.defer_done();
            let mut left = [N; 4];
            while left.iter().any(|&n| n > 0) {
                let mut sel = Select::new();
                let cases: Vec<(usize, usize)> = (0..4)
                    .filter(|&k| left[k] > 0)
                    .map(|k| (sel.recv(&cs[k]).index(), k))
                    .collect();
                let i = sel.wait().await;
                let k = cases.iter().find(|c| c.0 == i).unwrap().1;
                left[k] -= 1;
            }
        });
        wg.wait().await;
    })
    .unwrap();
    no_panics(&rt);
}

/// test/chan/powser1.go: Doug McIlroy's power series over channels (from "Squinting at Power
/// Series"). Every series is a goroutine answering demands; multiplying a series by itself
/// makes `getn` send on one demand channel in two cases of one select and receive on one data
/// channel in two more.
pub fn go_powser1() {
    let rt = runtime_scaled(2, 1.0);
    rt.block_on(powser::main()).unwrap();
    no_panics(&rt);
}

mod powser {
    use super::*;

    /// A rational; a denominator of zero marks the end of a series.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Rat {
        num: i64,
        den: i64,
    }

    fn gcd(u: i64, v: i64) -> i64 {
        if u < 0 {
            return gcd(-u, v);
        }
        if u == 0 {
            return v;
        }
        gcd(v % u, u)
    }

    fn i2tor(u: i64, v: i64) -> Rat {
        let g = gcd(u, v);
        if v > 0 {
            Rat {
                num: u / g,
                den: v / g,
            }
        } else {
            Rat {
                num: -u / g,
                den: -v / g,
            }
        }
    }

    fn itor(u: i64) -> Rat {
        i2tor(u, 1)
    }

    const FINIS: Rat = Rat { num: 1, den: 0 };

    fn end(u: Rat) -> bool {
        u.den == 0
    }

    fn add(u: Rat, v: Rat) -> Rat {
        let g = gcd(u.den, v.den);
        i2tor(
            u.num * (v.den / g) + v.num * (u.den / g),
            u.den * (v.den / g),
        )
    }

    fn mul(u: Rat, v: Rat) -> Rat {
        let (g1, g2) = (gcd(u.num, v.den), gcd(u.den, v.num));
        Rat {
            num: (u.num / g1) * (v.num / g2),
            den: (u.den / g2) * (v.den / g1),
        }
    }

    fn neg(u: Rat) -> Rat {
        i2tor(-u.num, u.den)
    }

    /// A demand channel: ask on `req`, get the next coefficient on `dat`.
    #[derive(Clone)]
    pub struct Ps {
        req: Chan<i64>,
        dat: Chan<Rat>,
    }

    static SEQNO: AtomicI64 = AtomicI64::new(0);

    fn seqno() -> i64 {
        SEQNO.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn mk() -> Ps {
        Ps {
            req: Chan::new(0),
            dat: Chan::new(0),
        }
    }

    type Fut = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

    /// Replicates `inp` onto two outputs read at different rates (one generation per item).
    fn dosplit(inp: Ps, mut out: [Ps; 2], wait: Chan<i64>) -> Fut {
        Box::pin(async move {
            let mut both = false;
            let mut sel = Select::new();
            sel.recv(&out[0].req);
            let w = sel.recv(&wait);
            if sel.wait().await == w.index() {
                both = true;
                let mut sel = Select::new();
                sel.recv(&out[0].req);
                let second = sel.recv(&out[1].req);
                if sel.wait().await == second.index() {
                    out.swap(0, 1);
                }
            }
            inp.req.send(seqno()).await.unwrap();
            let release = Chan::new(0);
            go(dosplit(inp.clone(), out.clone(), release.clone()));
            let dat = inp.dat.recv().await.unwrap();
            out[0].dat.send(dat).await.unwrap();
            if !both {
                wait.recv().await;
            }
            out[1].req.recv().await;
            out[1].dat.send(dat).await.unwrap();
            release.send(0).await.unwrap();
        })
    }

    async fn split(inp: Ps, out: [Ps; 2]) {
        let release = Chan::new(0);
        go(dosplit(inp, out, release.clone()));
        release.send(0).await.unwrap();
    }

    async fn put(dat: Rat, out: &Ps) {
        out.req.recv().await;
        out.dat.send(dat).await.unwrap();
    }

    async fn get(inp: &Ps) -> Rat {
        inp.req.send(seqno()).await.unwrap();
        inp.dat.recv().await.unwrap()
    }

    /// One item from each of two series, demanded and read in whatever order they come: with
    /// `a` and `b` the same series, one select has two sends on one channel and, later, two
    /// receives on another.
    async fn get2(a: &Ps, b: &Ps) -> [Rat; 2] {
        let mut req = [Some(&a.req), Some(&b.req)];
        let mut dat: [Option<&Chan<Rat>>; 2] = [None, None];
        let mut out = [itor(0); 2];
        for _ in 0..4 {
            let mut sel = Select::new();
            let mut cases = vec![];
            for k in 0..2 {
                if let Some(r) = req[k] {
                    cases.push((sel.send(r, seqno()).index(), k, None));
                }
                if let Some(d) = dat[k] {
                    let c = sel.recv(d);
                    cases.push((c.index(), k, Some(c)));
                }
            }
            let i = sel.wait().await;
            let &(_, k, recv) = cases.iter().find(|c| c.0 == i).unwrap();
            match recv {
                None => {
                    dat[k] = Some(if k == 0 { &a.dat } else { &b.dat });
                    req[k] = None;
                }
                Some(c) => {
                    out[k] = sel.recv_value(c).unwrap();
                    dat[k] = None;
                }
            }
        }
        out
    }

    async fn copy(inp: Ps, out: Ps) {
        loop {
            out.req.recv().await;
            let v = get(&inp).await;
            out.dat.send(v).await.unwrap();
        }
    }

    fn rep(c: Rat) -> Ps {
        let z = mk();
        let out = z.clone();
        go(async move {
            loop {
                put(c, &out).await;
            }
        });
        z
    }

    fn split2(u: Ps) -> [Ps; 2] {
        let uu = [mk(), mk()];
        go(split(u, uu.clone()));
        uu
    }

    fn add_ps(u: Ps, v: Ps) -> Ps {
        let z = mk();
        let out = z.clone();
        go(async move {
            loop {
                out.req.recv().await;
                let uv = get2(&u, &v).await;
                match (end(uv[0]), end(uv[1])) {
                    (false, false) => out.dat.send(add(uv[0], uv[1])).await.unwrap(),
                    (true, false) => {
                        out.dat.send(uv[1]).await.unwrap();
                        return copy(v, out).await;
                    }
                    (false, true) => {
                        out.dat.send(uv[0]).await.unwrap();
                        return copy(u, out).await;
                    }
                    (true, true) => out.dat.send(FINIS).await.unwrap(),
                }
            }
        });
        z
    }

    fn cmul(c: Rat, u: Ps) -> Ps {
        let z = mk();
        let out = z.clone();
        go(async move {
            loop {
                out.req.recv().await;
                let v = get(&u).await;
                if end(v) {
                    break;
                }
                out.dat.send(mul(c, v)).await.unwrap();
            }
            out.dat.send(FINIS).await.unwrap();
        });
        z
    }

    fn sub(u: Ps, v: Ps) -> Ps {
        add_ps(u, cmul(neg(itor(1)), v))
    }

    fn mul_ps(u: Ps, v: Ps) -> Ps {
        let z = mk();
        let out = z.clone();
        go(Box::pin(async move {
            out.req.recv().await;
            let uv = get2(&u, &v).await;
            if end(uv[0]) || end(uv[1]) {
                out.dat.send(FINIS).await.unwrap();
                return;
            }
            out.dat.send(mul(uv[0], uv[1])).await.unwrap();
            let uu = split2(u);
            let vv = split2(v);
            let w = add_ps(cmul(uv[0], vv[0].clone()), cmul(uv[1], uu[0].clone()));
            out.req.recv().await;
            let first = get(&w).await;
            out.dat.send(first).await.unwrap();
            copy(add_ps(w, mul_ps(uu[1].clone(), vv[1].clone())), out).await;
        }) as Fut);
        z
    }

    fn diff(u: Ps) -> Ps {
        let z = mk();
        let out = z.clone();
        go(async move {
            out.req.recv().await;
            if !end(get(&u).await) {
                for i in 1.. {
                    let v = get(&u).await;
                    if end(v) {
                        break;
                    }
                    out.dat.send(mul(itor(i), v)).await.unwrap();
                    out.req.recv().await;
                }
            }
            out.dat.send(FINIS).await.unwrap();
        });
        z
    }

    fn integ(c: Rat, u: Ps) -> Ps {
        let z = mk();
        let out = z.clone();
        go(async move {
            put(c, &out).await;
            for i in 1.. {
                out.req.recv().await;
                let v = get(&u).await;
                if end(v) {
                    break;
                }
                out.dat.send(mul(i2tor(1, i), v)).await.unwrap();
            }
            out.dat.send(FINIS).await.unwrap();
        });
        z
    }

    /// exp(U) for U with constant term 0: Z' = Z U', integrated.
    fn exp(u: Ps) -> Ps {
        let zz = [mk(), mk()];
        let z = integ(itor(1), mul_ps(zz[0].clone(), diff(u)));
        go(split(z, zz.clone()));
        zz[1].clone()
    }

    fn mon_subst(u: Ps, c0: Rat, n: i64) -> Ps {
        let z = mk();
        let out = z.clone();
        go(async move {
            let mut c = itor(1);
            loop {
                out.req.recv().await;
                let v = get(&u).await;
                out.dat.send(mul(v, c)).await.unwrap();
                c = mul(c, c0);
                if end(v) {
                    out.dat.send(FINIS).await.unwrap();
                    break;
                }
                for _ in 1..n {
                    out.req.recv().await;
                    out.dat.send(itor(0)).await.unwrap();
                }
            }
        });
        z
    }

    async fn check(u: &Ps, c: Rat, count: usize, what: &str) {
        for _ in 0..count {
            let r = get(u).await;
            assert_eq!(r, c, "{what}");
        }
    }

    async fn checka(u: &Ps, a: &[Rat], what: &str) {
        for (i, &c) in a.iter().enumerate() {
            let r = get(u).await;
            assert_eq!(r, c, "{what}: term {i}");
        }
    }

    /// Terms checked of the longer series. Under Miri 5: multiplying series spawns goroutines
    /// per term (Mul and Exp grow quadratically), and 10 took most of an hour interpreted.
    const TERMS: usize = if cfg!(miri) { 5 } else { 10 };

    pub async fn main() {
        let (one, zero) = (itor(1), itor(0));
        let ones = rep(one);
        let twos = rep(itor(2));
        check(&ones, one, 5, "Ones").await;
        // One series added to itself: get2 demands from one channel in two cases.
        check(
            &add_ps(ones.clone(), ones.clone()),
            itor(2),
            5,
            "Add Ones Ones",
        )
        .await;
        check(
            &add_ps(ones.clone(), twos.clone()),
            itor(3),
            5,
            "Add Ones Twos",
        )
        .await;
        let a: Vec<Rat> = (1..=10).map(itor).collect();
        checka(&diff(ones.clone()), &a[..TERMS], "Diff").await;
        let mut a = vec![zero];
        a.extend((1..10).map(|i| i2tor(1, i)));
        checka(&integ(zero, ones.clone()), &a[..TERMS], "Integ").await;
        check(&cmul(neg(one), twos.clone()), itor(-2), 10, "CMul").await;
        check(
            &sub(ones.clone(), twos.clone()),
            itor(-1),
            5,
            "Sub Ones Twos",
        )
        .await;
        let a: Vec<Rat> = (1..=10).map(itor).collect();
        checka(&mul_ps(ones.clone(), ones.clone()), &a[..TERMS], "Mul").await;
        let a = [
            itor(1),
            itor(1),
            i2tor(3, 2),
            i2tor(13, 6),
            i2tor(73, 24),
            i2tor(167, 40),
            i2tor(4051, 720),
            i2tor(37633, 5040),
            i2tor(43817, 4480),
            i2tor(4596553, 362880),
        ];
        checka(&exp(ones.clone()), &a[..TERMS], "Exp").await;
        let mut a = vec![];
        let mut c = 1;
        for i in 0..10 {
            if i % 2 == 0 {
                a.push(zero);
            } else {
                a.push(i2tor(c, i));
                c = -c;
            }
        }
        checka(
            &integ(zero, mon_subst(ones, neg(one), 2)),
            &a[..TERMS],
            "ATan",
        )
        .await;
    }
}
