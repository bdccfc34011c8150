//! A real SMTP server on a free port (mailin-embedded), keeping what it receives.

use std::io;
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin_embedded::{Handler, Response, Server, response};
use tessera::config::ServeArgs;

/// A mail as the SMTP server received it.
#[derive(Clone, Debug, Default)]
pub struct Mail {
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    pub fn is_to(&self, address: &str) -> bool {
        self.to.iter().any(|t| t.contains(address))
    }

    /// The message with its quoted-printable parts decoded (soft line breaks
    /// joined, `=XX` read as bytes), as a mail program shows it.
    pub fn decoded(&self) -> String {
        let joined = self.data.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
                (b'=', Some(byte)) => {
                    out.push(byte);
                    i += 3;
                }
                (byte, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[derive(Clone, Default)]
struct Inbox {
    current: Mail,
    received: Arc<Mutex<Vec<Mail>>>,
}

impl Handler for Inbox {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, _from: &str) -> Response {
        self.current = Mail::default();
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        self.current.to.push(to.to_owned());
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.current.data.push_str(&String::from_utf8_lossy(buf));
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.received
            .lock()
            .unwrap()
            .push(std::mem::take(&mut self.current));
        response::OK
    }
}

pub struct MailServer {
    pub url: String,
    received: Arc<Mutex<Vec<Mail>>>,
}

impl MailServer {
    pub fn start() -> Self {
        let inbox = Inbox::default();
        let received = inbox.received.clone();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut server = Server::new(inbox);
        server
            .with_name("mail.test")
            .with_num_threads(2)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self {
            url: format!("smtp://127.0.0.1:{port}"),
            received,
        }
    }

    /// Settings that send Tessera's mail here, on top of `args`.
    pub fn args(&self, args: ServeArgs) -> ServeArgs {
        ServeArgs {
            smtp_url: Some(self.url.clone()),
            mail_from: Some("Tessera <tessera@example.com>".into()),
            ..args
        }
    }

    /// The mail settings an instance sending here has, for a test that sends
    /// what is waiting with its own clock.
    pub fn settings(&self) -> tessera::config::MailSettings {
        tessera::config::ServerConfig::from_args(&self.args(ServeArgs::default()))
            .unwrap()
            .mail
            .unwrap()
    }

    pub fn received(&self) -> Vec<Mail> {
        self.received.lock().unwrap().clone()
    }

    /// What arrived once `count` mails did, or after ten seconds.
    pub async fn wait_for(&self, count: usize) -> Vec<Mail> {
        for _ in 0..100 {
            if self.received.lock().unwrap().len() >= count {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        self.received()
    }
}

/// The mails to `address`.
pub fn to(mails: &[Mail], address: &str) -> Vec<Mail> {
    mails.iter().filter(|m| m.is_to(address)).cloned().collect()
}
