//! A webhook receiver that never finishes its answer, as a broken or hostile one
//! would: it reads the request, then holds the connection without a word, or
//! answers 200 and trickles the body a byte at a time.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

#[derive(Clone, Copy, Debug)]
pub enum Stalling {
    /// Reads the request and says nothing until the sender hangs up.
    Holds,
    /// Answers 200 with headers promising a body of 2,000 bytes, then sends a
    /// byte of it every 100 ms.
    Trickles,
}

pub struct StallingReceiver {
    pub url: String,
    requests: Arc<AtomicUsize>,
}

impl StallingReceiver {
    pub fn start(how: Stalling) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let counted = counted.clone();
                std::thread::spawn(move || stall(stream, how, &counted));
            }
        });
        Self { url, requests }
    }

    /// Requests that reached it so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn stall(mut stream: TcpStream, how: Stalling, requests: &AtomicUsize) {
    let mut buffer = [0u8; 4096];
    if !matches!(stream.read(&mut buffer), Ok(n) if n > 0) {
        return;
    }
    requests.fetch_add(1, Ordering::SeqCst);
    match how {
        // Until the sender hangs up (a read of 0 bytes) or the test ends.
        Stalling::Holds => while matches!(stream.read(&mut buffer), Ok(n) if n > 0) {},
        Stalling::Trickles => {
            let head = b"HTTP/1.1 200 OK\r\ncontent-length: 2000\r\n\r\n";
            if stream.write_all(head).is_err() {
                return;
            }
            for _ in 0..2000 {
                if stream.write_all(b".").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}
