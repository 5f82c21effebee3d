//! A TCP proxy on loopback that cuts connections, to test what the daemon
//! does when the network drops the link in the middle of a command, and
//! counts what the server sent (to show what was never downloaded).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

/// Forwards `127.0.0.1:port()` to an upstream port. The first `cuts.len()`
/// connections are cut once the server has sent the given number of bytes
/// on them; later ones pass everything.
pub struct CuttingProxy {
    port: u16,
    connections: Arc<AtomicUsize>,
    from_server: Arc<AtomicUsize>,
}

impl CuttingProxy {
    /// Starts accepting in a background thread.
    pub fn start(upstream: u16, cuts: Vec<usize>) -> CuttingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let from_server = Arc::new(AtomicUsize::new(0));
        let (counter, bytes) = (connections.clone(), from_server.clone());
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let cut_after = cuts.get(n).copied();
                if let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) {
                    relay(client, server, cut_after, bytes.clone());
                }
            }
        });
        CuttingProxy {
            port,
            connections,
            from_server,
        }
    }

    /// The port clients connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Bytes the server sent to clients so far, over every connection.
    pub fn bytes_from_server(&self) -> usize {
        self.from_server.load(Ordering::SeqCst)
    }
}

/// Client → server as is; server → client until `cut_after` bytes, then
/// both sockets are shut down (what a dropped link looks like to both ends).
fn relay(client: TcpStream, server: TcpStream, cut_after: Option<usize>, total: Arc<AtomicUsize>) {
    let (mut client_in, mut server_out) = (
        client.try_clone().expect("clone"),
        server.try_clone().expect("clone"),
    );
    thread::spawn(move || {
        let _ = std::io::copy(&mut client_in, &mut server_out);
        let _ = server_out.shutdown(Shutdown::Both);
    });
    thread::spawn(move || {
        let (mut server_in, mut client_out) = (server, client);
        let mut sent = 0usize;
        let mut buffer = [0u8; 8192];
        loop {
            let n = match server_in.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let allowed = cut_after.map_or(n, |limit| n.min(limit.saturating_sub(sent)));
            if client_out.write_all(&buffer[..allowed]).is_err() {
                break;
            }
            sent += allowed;
            total.fetch_add(allowed, Ordering::SeqCst);
            if allowed < n || cut_after.is_some_and(|limit| sent >= limit) {
                break;
            }
        }
        let _ = client_out.shutdown(Shutdown::Both);
        let _ = server_in.shutdown(Shutdown::Both);
    });
}
