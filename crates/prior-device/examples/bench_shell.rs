use prior_device::fake::{FakeAdb, FakeDeviceSpec};
use prior_device::*;
use std::time::{Duration, Instant};
fn main() {
    let fake = FakeAdb::start().unwrap();
    fake.add_device(FakeDeviceSpec::new("emulator-5554")).unwrap();
    let dev = AdbServer::new(fake.addr()).device("emulator-5554").unwrap();
    let n = 50;
    let t = Instant::now();
    for _ in 0..n { dev.shell(&Cmd::new("true"), Duration::from_secs(10)).unwrap(); }
    println!("shell round trip: {:?}/call", t.elapsed() / n);
    let (tx, rx) = std::sync::mpsc::sync_channel(1 << 16);
    fake.add_script("emulator-5554", "burst", "seq 1 200000").unwrap();
    let t = Instant::now();
    let h = dev.shell_stream(&Cmd::new("burst"), Box::new(LineSender::new(tx))).unwrap();
    let r = h.wait();
    let lines = rx.iter().count();
    println!("stream: {lines} lines, {} bytes in {:?}, end {:?}", r.bytes, t.elapsed(), r.end);
}
