//! A real DNS server on loopback for the tests: dnsmasq (Debian's
//! `dnsmasq-base`, installed by `scripts/test.sh`) serving only the TXT
//! records a test gives it, on a port of its own.

use std::net::UdpSocket;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running dnsmasq; stopped when dropped.
pub struct DnsServer {
    child: Child,
    /// The UDP and TCP port it answers on (127.0.0.1).
    pub port: u16,
}

impl DnsServer {
    /// Starts dnsmasq with these TXT records (name, text), or `None` (with
    /// a message) when dnsmasq is not installed outside `scripts/test.sh`.
    pub fn start(records: &[(&str, &str)]) -> Option<DnsServer> {
        let binary = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"]
            .into_iter()
            .find(|path| std::path::Path::new(path).exists());
        let Some(binary) = binary else {
            super::skip_without("dnsmasq", "scripts/test.sh installs dnsmasq-base");
            return None;
        };
        for _ in 0..5 {
            let port = free_udp_port();
            let mut command = super::server_command(binary);
            command.args([
                "--keep-in-foreground",
                "--conf-file=/dev/null",
                "--no-resolv",
                "--no-hosts",
                "--no-poll",
                "--bind-interfaces",
                "--listen-address=127.0.0.1",
                "--log-facility=-",
                // Authoritative for the test TLD: other names are NXDOMAIN,
                // not "refused" (no upstream is asked).
                "--local=/test/",
                &format!("--port={port}"),
            ]);
            if is_root() {
                command.arg("--user=root");
            }
            for (name, text) in records {
                command.arg(format!("--txt-record={name},{}", txt_strings(text)));
            }
            let child = command
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start dnsmasq");
            let mut server = DnsServer { child, port };
            if server.answers() {
                return Some(server);
            }
            let _ = server.child.kill();
        }
        panic!("dnsmasq did not start on a free loopback port in 5 tries");
    }

    /// "127.0.0.1:PORT", for `security.dns_servers`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Whether it is up: still running and its TCP port accepts.
    fn answers(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TXT value as dnsmasq's comma-separated strings of at most 255 bytes
/// each (on its command line quotes are kept, so none are added).
fn txt_strings(text: &str) -> String {
    assert!(
        !text.contains(','),
        "a TXT text for dnsmasq has no comma: {text}"
    );
    text.as_bytes()
        .chunks(255)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(",")
}

fn free_udp_port() -> u16 {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP port");
    socket.local_addr().expect("local address").port()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// Standard base64 with padding (RFC 4648 §4), for DKIM public keys.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let word = chunk.iter().enumerate().fold(0u32, |word, (i, byte)| {
            word | u32::from(*byte) << (16 - 8 * i)
        });
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(word >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
