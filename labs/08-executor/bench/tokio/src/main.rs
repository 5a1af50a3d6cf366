//! tokio-bench: the Tokio (current_thread) version of the lab 08 workloads, so the C
//! bench can compare against it in the same run. Prints one line of numbers.
//!
//!   tokio-bench spawn N YIELDS        -> elapsed ns (spawn N tasks, each yields, join all)
//!   tokio-bench timers N MAX_MS SEED  -> "p50 p99 max early" lateness in ns
//!   tokio-bench echo CONNS MSGS SIZE  -> elapsed ns (server + clients in one runtime)
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

fn arg(i: usize) -> u64 {
    std::env::args().nth(i).and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        eprintln!("tokio-bench: argument {} missing or not a number", i);
        std::process::exit(2)
    })
}

fn spawn(n: u64, yields: u64) {
    // Twice in one runtime, reporting the second: the C side measures a warm process.
    let ns = runtime().block_on(async move {
        let mut last = 0;
        for _ in 0..2 {
            let t0 = Instant::now();
            let mut hs = Vec::with_capacity(n as usize);
            for _ in 0..n {
                hs.push(tokio::spawn(async move {
                    for _ in 0..yields {
                        tokio::task::yield_now().await;
                    }
                }));
            }
            for h in hs {
                h.await.expect("join");
            }
            last = t0.elapsed().as_nanos();
        }
        last
    });
    println!("{}", ns);
}

fn timers(n: u64, max_ms: u64, seed: u64) {
    let mut x = seed | 1;
    let mut durs = Vec::with_capacity(n as usize);
    for _ in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        durs.push(1 + x % max_ms);
    }
    let mut late: Vec<(u64, bool)> = runtime().block_on(async move {
        let mut hs = Vec::with_capacity(durs.len());
        for d in durs {
            hs.push(tokio::spawn(async move {
                let armed = Instant::now();
                let dur = Duration::from_millis(d);
                tokio::time::sleep(dur).await;
                let took = armed.elapsed();
                if took >= dur {
                    ((took - dur).as_nanos() as u64, false)
                } else {
                    (0, true)
                }
            }));
        }
        let mut out = Vec::with_capacity(hs.len());
        for h in hs {
            out.push(h.await.expect("join"));
        }
        out
    });
    let early = late.iter().filter(|l| l.1).count();
    late.sort();
    let pct = |p: f64| late[((late.len() as f64 * p / 100.0).ceil() as usize).clamp(1, late.len()) - 1].0;
    println!("{} {} {} {}", pct(50.0), pct(99.0), late[late.len() - 1].0, early);
}

fn echo(conns: u64, msgs: u64, size: u64) {
    let ns = runtime().block_on(async move {
        let lst = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = lst.local_addr().expect("addr");
        tokio::spawn(async move {
            loop {
                let (mut s, _) = match lst.accept().await {
                    Ok(x) => x,
                    Err(_) => return,
                };
                s.set_nodelay(true).ok();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    loop {
                        let n = match s.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        if s.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        let t0 = Instant::now();
        let mut hs = Vec::new();
        for c in 0..conns {
            hs.push(tokio::spawn(async move {
                let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
                s.set_nodelay(true).ok();
                let mut out = vec![0u8; size as usize];
                let mut back = vec![0u8; size as usize];
                for m in 0..msgs {
                    for (i, b) in out.iter_mut().enumerate() {
                        *b = (c * 31 + m * 7 + i as u64) as u8;
                    }
                    s.write_all(&out).await.expect("write");
                    s.read_exact(&mut back).await.expect("read");
                    assert_eq!(out, back, "echo mismatch");
                }
            }));
        }
        for h in hs {
            h.await.expect("client");
        }
        t0.elapsed().as_nanos()
    });
    println!("{}", ns);
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("spawn") => spawn(arg(2), arg(3)),
        Some("timers") => timers(arg(2), arg(3), arg(4)),
        Some("echo") => echo(arg(2), arg(3), arg(4)),
        _ => {
            eprintln!("usage: tokio-bench spawn N YIELDS | timers N MAX_MS SEED | echo CONNS MSGS SIZE");
            std::process::exit(2)
        }
    }
}
