//! A real Redis (Debian's `redis-server`), started on a free port for one test,
//! without persistence; stopped (and restarted) at will, killed when dropped.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
}

fn binary() -> &'static str {
    "/usr/bin/redis-server"
}

impl RedisServer {
    /// Starts one; panics when Debian's redis-server is missing (CI installs it).
    pub fn start() -> Self {
        assert!(
            std::path::Path::new(binary()).exists(),
            "redis-server is missing: apt-get install redis-server (CI installs it)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = Self { child: None, port };
        server.restart();
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Starts it again on the same port (after [`RedisServer::stop`]).
    pub fn restart(&mut self) {
        // Redis keeps the real clock: under faketime (the suite's other hours) its
        // event loop would not run. Tessera sends it the times that matter.
        let child = Command::new(binary())
            .env_remove("LD_PRELOAD")
            .env_remove("FAKETIME")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server listens");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills it: clients see the connection drop.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
